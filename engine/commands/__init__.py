"""The command line: argument parsing and one module per subcommand (serve, validate, tools, call,
config), each a thin layer over the stages before it."""
