"""``python -m sample_portal --port 8800`` -- serve the sample portal."""

from __future__ import annotations

import argparse

from .server import serve_forever


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m sample_portal",
                                 description="Serve the xxgk-archive sample portal (a TRS-style county portal).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8800)
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    args = ap.parse_args(argv)
    serve_forever(args.host, args.port, verbose=not args.quiet)


if __name__ == "__main__":
    main()
