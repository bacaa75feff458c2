"""Run the Zortout sandbox from the command line.

    python -m zortout_sandbox --port 8099 --catalogue demo
    python -m zortout_sandbox --catalogue generate:2000:7
    python -m zortout_sandbox --catalogue my_store.json
"""

import argparse
import logging
import sys

from .catalogue import Catalogue
from .server import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_STORE_NAME,
    UNKNOWN_WAREHOUSE_MODES,
    SandboxServer,
)


def load_catalogue(spec):
    """'demo', 'generate:N[:seed]' or the path of a JSON catalogue."""
    if spec == "demo":
        return Catalogue.demo()
    if spec.startswith("generate:"):
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"expected generate:N[:seed], got {spec!r}")
        seed = int(parts[2]) if len(parts) == 3 else 1
        return Catalogue.generate(int(parts[1]), seed=seed)
    return Catalogue.from_json(spec)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m zortout_sandbox",
                                     description="Serve a local Zortout Open API v4 sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--catalogue", default="demo", help="demo | generate:N[:seed] | path/to/catalogue.json")
    parser.add_argument("--store-name", default=DEFAULT_STORE_NAME)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--api-secret", default=DEFAULT_API_SECRET)
    parser.add_argument("--unknown-warehouse-mode", default="invalid_warehouse", choices=UNKNOWN_WAREHOUSE_MODES)
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    try:
        catalogue = load_catalogue(args.catalogue)
    except (OSError, ValueError) as exc:
        parser.error(f"cannot load catalogue {args.catalogue!r}: {exc}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    server = SandboxServer(catalogue, store_name=args.store_name, api_key=args.api_key,
                           api_secret=args.api_secret, port=args.port,
                           unknown_warehouse_mode=args.unknown_warehouse_mode, host=args.host).bind()
    print(f"Zortout sandbox serving {len(catalogue.products)} products in "
          f"{len(catalogue.warehouses)} warehouses ({', '.join(catalogue.warehouse_codes())})")
    print(f"  base URL   : {server.base_url}")
    print(f"  store name : {args.store_name}")
    print(f"  API key    : {args.api_key}")
    print(f"  API secret : {args.api_secret}")
    print("(sandbox-only values; press Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
