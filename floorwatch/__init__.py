"""floorwatch: live workload and wellbeing signals for contact-center floors; CLI, topics, records, contracts."""

__version__ = "0.1.0"
