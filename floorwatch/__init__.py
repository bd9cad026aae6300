"""floorwatch: live wellbeing and workload signals for contact-center floors."""

__version__ = "0.1.0"
