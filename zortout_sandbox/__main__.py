"""Run the Zortout sandbox from the command line.

    python -m zortout_sandbox --port 8099 --catalogue demo
    python -m zortout_sandbox --catalogue generate:2000:7
    python -m zortout_sandbox --catalogue my_store.json
    python -m zortout_sandbox --catalogue generate:1200 --drift insert:1 --count-overstated-by 3
    python -m zortout_sandbox --catalogue generate:50000:19 --latency 2

Every behaviour of the live service the sandbox can play has an option; see
``--help``. A running sandbox is told of a sale (and delivers it to the
webhook) with ``python -m zortout_sandbox sell SKU 2``; see control.py.
"""

# a command-line program: what it prints is its output, not a log
# pylint: disable=print-used

import argparse
import contextlib
import logging
import sys

from . import control
from .catalogue import QUANTITY_FORMATS, Catalogue
from .drift import SHIFT_ACTIONS
from .server import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_STORE_NAME,
    DETAIL_ENVELOPES,
    EMPTY_LIST_SHAPES,
    SKULIST_IN_WAREHOUSE,
    SKULIST_MODES,
    UNKNOWN_WAREHOUSE_MODES,
    WAREHOUSE_FILTERS,
    SandboxServer,
)
from .webhook import CONFIG_ENVELOPES, DELIVERY_FORMATS, NO_WEBHOOK_ANSWERS

#: what --help says of the commands that talk to a running sandbox (control.py)
COMMANDS_HELP = """commands (to a running sandbox; --host and --port before or after them):
  sell SKU [QUANTITY] [--warehouse CODE]     a sale in Zortout: the stock drops, the webhook is called
  set SKU STOCK [--available N] [--warehouse CODE]
                                             a count in Zortout: on hand is now STOCK
  webhook                                    the webhook configuration (keys hidden) and the last deliveries

  e.g. python -m zortout_sandbox sell DEMO-MUG 2 --port 8099
  python -m zortout_sandbox COMMAND --help tells more."""


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


def drift_option(text):
    """'insert:N' or 'remove:N' -> (action, N)."""
    action, _, page = text.partition(":")
    if action not in SHIFT_ACTIONS or not page.isdigit() or int(page) < 1:
        raise argparse.ArgumentTypeError(f"expected insert:N or remove:N with N >= 1, not {text!r}")
    return action, int(page)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m zortout_sandbox", description="Serve a local Zortout Open API v4 sandbox.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=COMMANDS_HELP)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--catalogue", default="demo", help="demo | generate:N[:seed] | path/to/catalogue.json")
    parser.add_argument("--store-name", default=DEFAULT_STORE_NAME)
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--api-secret", default=DEFAULT_API_SECRET)
    play = parser.add_argument_group("behaviours of the live service")
    play.add_argument("--unknown-warehouse-mode", default="invalid_warehouse", choices=UNKNOWN_WAREHOUSE_MODES,
                      help="the answer to an unknown warehouse code")
    play.add_argument("--warehouse-filter", default="held", choices=WAREHOUSE_FILTERS,
                      help="which products a read with a warehouse code lists (held: only those holding stock there)")
    play.add_argument("--skulist-in-warehouse", default="omitted", choices=SKULIST_IN_WAREHOUSE,
                      help="a skulist read with a warehouse code: leave out products not held there, or list them "
                           "with 0")
    play.add_argument("--skulist-mode", default="exact", choices=SKULIST_MODES)
    play.add_argument("--detail-envelope", default="wrapped", choices=DETAIL_ENVELOPES)
    play.add_argument("--empty-list", default="empty", choices=EMPTY_LIST_SHAPES,
                      help='an answer with no rows: "list": [] | "list": null | no list | neither list nor count')
    play.add_argument("--quantity-format", default="decimal", choices=QUANTITY_FORMATS,
                      help='quantities as "12.00", "12" or 12')
    play.add_argument("--count-overstated-by", type=int, default=0, metavar="K",
                      help="GetProducts answers count = the rows it lists + K")
    play.add_argument("--daily-quota", type=int, default=None, metavar="N",
                      help="calls the store may make before every answer is the 'API Request Limits' notice "
                           "with an empty list (counted from the start; no limit by default)")
    play.add_argument("--quota-notice-margin", type=int, default=0, metavar="M",
                      help="the answers to the last M calls within the quota carry the notice with their rows")
    play.add_argument("--drift", type=drift_option, action="append", default=[], metavar="ACTION:PAGE",
                      help="after every GetProducts page PAGE, insert a product at the front of the ordering or "
                           "remove the first one (repeatable)")
    play.add_argument("--latency", type=float, default=0.0, metavar="SECONDS",
                      help="every answer waits this long before it is sent, like a slow live service "
                           "(e.g. 2 for the benchmark's production shape)")
    hook = parser.add_argument_group("webhook")
    hook.add_argument("--webhook-format", default="json", choices=DELIVERY_FORMATS,
                      help="how a delivery carries the product: raw JSON body, form field payload (event in the "
                           "query), form field datas (event in the form)")
    hook.add_argument("--webhook-none-answer", default=NO_WEBHOOK_ANSWERS[0], choices=NO_WEBHOOK_ANSWERS,
                      help="GetWebhook's words when no webhook is set")
    hook.add_argument("--webhook-envelope", default="flat", choices=CONFIG_ENVELOPES,
                      help="GetWebhook's keys and URLs beside res (flat) or in a detail object")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser, parser.parse_args(argv)


def build_server(args, catalogue):
    """A SandboxServer (not yet bound) configured from the parsed options."""
    server = SandboxServer(
        catalogue, store_name=args.store_name, api_key=args.api_key, api_secret=args.api_secret, port=args.port,
        unknown_warehouse_mode=args.unknown_warehouse_mode, host=args.host, skulist_mode=args.skulist_mode,
        warehouse_filter=args.warehouse_filter, skulist_in_warehouse=args.skulist_in_warehouse,
        detail_envelope=args.detail_envelope, empty_list=args.empty_list, quantity_format=args.quantity_format,
        count_overstated_by=args.count_overstated_by, daily_quota=args.daily_quota,
        quota_notice_margin=args.quota_notice_margin, webhook_format=args.webhook_format,
        webhook_none_answer=args.webhook_none_answer, webhook_envelope=args.webhook_envelope,
        latency=args.latency)
    for action, page in args.drift:
        server.drift.add(page, action, times=None)
    return server


def names_control_command(argv):
    """True when ``argv`` is a control command (sell, set, webhook), after --host/--port if given."""
    position = 0
    while position < len(argv):
        arg = argv[position]
        if arg in ("--host", "--port"):
            position += 2
        elif arg.startswith(("--host=", "--port=")):
            position += 1
        else:
            return arg in control.COMMANDS
    return False


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if names_control_command(argv):
        return control.main(argv)
    parser, args = parse_args(argv)
    try:
        catalogue = load_catalogue(args.catalogue)
    except (OSError, ValueError) as exc:
        parser.error(f"cannot load catalogue {args.catalogue!r}: {exc}")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    server = build_server(args, catalogue).bind()
    print(f"Zortout sandbox serving {len(catalogue.products)} products in "
          f"{len(catalogue.warehouses)} warehouses ({', '.join(catalogue.warehouse_codes())})")
    print(f"  base URL   : {server.base_url}")
    print(f"  store name : {args.store_name}")
    print(f"  API key    : {args.api_key}")
    print(f"  API secret : {args.api_secret}")
    print("(sandbox-only values; press Ctrl+C to stop)")
    print(f"  a sale     : python -m zortout_sandbox --port {server.port} sell SKU 2   (delivered to the webhook)",
          flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
