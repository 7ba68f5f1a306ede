"""Run the simulator standalone: ``python -m simulator [--host H] [--port P] [--locks N]``.

``--allowance N``: the application's monthly API call allowance (default unlimited).

``--state PATH``: keep the simulated world in a JSON file. If PATH exists the cloud starts
from it (``--locks`` then adds nothing: the saved world has its locks); otherwise from the
demo dataset, written to PATH at once. It is saved again within a second of any change and
when the simulator stops (Ctrl-C, SIGTERM). The allowance always comes from the command line.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aiohttp import web


def main(argv: list[str] | None = None) -> None:
    """Serve the demo dataset until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--locks", type=int, default=0, help="extra generated locks")
    parser.add_argument(
        "--allowance",
        type=int,
        default=None,
        metavar="N",
        help="monthly API call allowance, then errcode 30007 (default unlimited)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        metavar="PATH",
        help="load the world from PATH if it exists; save it there on changes and at exit",
    )
    args = parser.parse_args(argv)
    if args.allowance is not None and args.allowance < 0:
        parser.error("--allowance must not be negative")

    from .app import build_app  # noqa: PLC0415
    from .cloud import FakeTTLockCloud  # noqa: PLC0415  # after the import set-up
    from .demo import (  # noqa: PLC0415
        CLIENT_ID,
        CLIENT_SECRET,
        DEMO_PASSWORD,
        DEMO_USERNAME,
        add_generated_locks,
        populate_demo,
    )
    from .persist import keep_saved, load_state  # noqa: PLC0415

    if args.state is not None and args.state.exists():
        try:
            cloud = load_state(args.state)
        except (OSError, ValueError, KeyError, TypeError) as err:
            parser.exit(
                1,
                f"error: cannot load the simulator state from {args.state}: {err!r}\n"
                "Delete the file (scripts/develop --fresh) to start from the demo dataset.\n",
            )
        origin = f"loaded from {args.state}" + (" (--locks ignored)" if args.locks else "")
    else:
        cloud = FakeTTLockCloud(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        account = populate_demo(cloud)
        add_generated_locks(cloud, account, args.locks)
        origin = "the demo dataset" + (f", saved to {args.state}" if args.state else "")
    cloud.set_monthly_allowance(args.allowance)
    app = build_app(cloud)
    if args.state is not None:
        keep_saved(app, cloud, args.state)
    print(
        f"TTLock simulator on http://{args.host}:{args.port}\n"
        f"  client id:     {cloud.client_id}\n"
        f"  client secret: {cloud.client_secret}\n"
        f"  username:      {DEMO_USERNAME}\n"
        f"  password:      {DEMO_PASSWORD}\n"
        f"  locks: {len(cloud.locks)}, gateways: {len(cloud.gateways)}; control under /_sim/\n"
        f"  state: {origin}",
        flush=True,
    )
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
