"""One module per subcommand; ``checker.cli`` imports them on first use."""
