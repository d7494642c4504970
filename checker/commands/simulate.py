"""``qlik-drift simulate``: run the Organization API simulator as a server."""

from __future__ import annotations

from typing import Any

import click

from checker.commands.globalopts import global_options
from checker.simulator import (
    Simulator,
    add_fault_options,
    fault_plan_from_options,
    load_state,
)


@click.command()
@click.option(
    "--state",
    "state_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="Simulator state file (YAML or JSON), e.g. examples/live/acme.yaml.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Keep it on loopback: the simulator has no TLS.",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@add_fault_options
@global_options
def simulate(state_file: str, host: str, port: int, **fault_options: Any) -> int:
    """Serve a simulated Organization API seeded from a state file.

    Point qlik-drift (or any client) at the printed URL with the state
    file's demo client credentials. Stop it with Ctrl-C.
    """
    state = load_state(state_file)
    plan = fault_plan_from_options(**fault_options)
    simulator = Simulator(state, faults=plan, host=host, port=port)
    simulator.start()
    click.echo(f"Organization API simulator listening on {simulator.url}", err=True)
    click.echo(
        f"  export QLIK_ORG_URL={simulator.url} "
        "QLIK_CLIENT_ID=<clientId> QLIK_CLIENT_SECRET=<clientSecret>  "
        f"(demo client from {state_file})",
        err=True,
    )
    try:
        simulator.serve_forever()
    finally:
        simulator.stop()
    return 0
