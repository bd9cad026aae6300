"""One module per `floorwatch` subcommand: `add_arguments(parser)` and `run(args) -> int`."""
