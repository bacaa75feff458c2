"""Tell a running sandbox that something changed "in Zortout".

    python -m zortout_sandbox sell DEMO-MUG 2             # a sale of 2 in the first warehouse
    python -m zortout_sandbox sell DEMO-MUG 2 --warehouse W0002
    python -m zortout_sandbox set DEMO-MUG 40             # a count: on hand is now 40
    python -m zortout_sandbox webhook                     # the webhook configuration and last deliveries

The sandbox changes the quantity and, when a webhook ``updatequantityurl`` is
set (Odoo's "Enable instant sync" sets it), delivers the product there, as
Zortout does after a sale on a marketplace. The port is ``--port``, else
``$SANDBOX_PORT``, else 8099 (the one ``make run`` uses).
"""

# a command-line program: what it prints is its output, not a log
# pylint: disable=print-used

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

__all__ = ["COMMANDS", "main"]

COMMANDS = ("sell", "set", "webhook")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m zortout_sandbox",
                                     description="Change a quantity in a running Zortout sandbox.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT") or 8099))
    # --host and --port also after the command (sell DEMO-MUG 2 --port 8100)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--host", default=argparse.SUPPRESS)
    where.add_argument("--port", type=int, default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="{sell,set,webhook}")
    sell = commands.add_parser("sell", parents=[where], help="sell QUANTITY of SKU (on hand and sellable stock drop)")
    sell.add_argument("sku")
    sell.add_argument("quantity", nargs="?", default="1")
    sell.add_argument("--warehouse", help="warehouse code (default: the store's first warehouse)")
    count = commands.add_parser("set", parents=[where], help="set the on-hand stock of SKU (a count in Zortout)")
    count.add_argument("sku")
    count.add_argument("stock")
    count.add_argument("--available", help="sellable stock (default: on hand minus the reservations)")
    count.add_argument("--warehouse", help="warehouse code (default: the store's first warehouse)")
    commands.add_parser("webhook", parents=[where],
                        help="show the webhook configuration (keys hidden) and the last deliveries")
    return parser.parse_args(argv)


def call(host, port, method, action, data=None):
    """(HTTP status, decoded answer) of one control request."""
    body = None if data is None else json.dumps(data).encode("utf-8")
    request = urllib.request.Request(f"http://{host}:{port}/_sandbox/{action}", data=body, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"null")


def describe(delivery):
    if delivery is None:
        return "no webhook delivery: no updatequantityurl is set (press Enable instant sync in Odoo)"
    if delivery["status"] is None:
        return f"delivery to {delivery['url']} failed: {delivery['error']}"
    return f"delivered to {delivery['url']}: HTTP {delivery['status']} in {delivery['ms']} ms"


def main(argv):
    args = parse_args(argv)
    try:
        if args.command == "webhook":
            status, answer = call(args.host, args.port, "GET", "webhook")
            print(json.dumps(answer, indent=2, ensure_ascii=False))
            return 0 if status == 200 else 1
        if args.command == "sell":
            data = {"sku": args.sku, "quantity": args.quantity, "warehouse": args.warehouse}
        else:
            data = {"sku": args.sku, "stock": args.stock, "available": args.available, "warehouse": args.warehouse}
        status, answer = call(args.host, args.port, "POST", args.command, data)
    except OSError as exc:
        print(f"no Zortout sandbox answers on {args.host}:{args.port} ({exc}); start it with make run "
              f"or python -m zortout_sandbox", file=sys.stderr)
        return 2
    if status != 200:
        print(f"the sandbox refused: {answer.get('error') if isinstance(answer, dict) else answer}", file=sys.stderr)
        return 1
    print(f"{answer['sku']} in {answer['warehouse']}: stock {answer['stock']}, "
          f"available {answer['availablestock']}")
    print(describe(answer["delivery"]))
    return 0 if answer["delivery"] is None or answer["delivery"]["status"] == 200 else 1
