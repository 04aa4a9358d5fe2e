#!/usr/bin/env python3
"""Runs the official qlik-sdk (PyPI, 0.17.0) REST flows against a tenant,
unmodified: OAuth client credentials, users.get_me(), spaces (followed through
its pagination), items, and a data file upload. Prints a JSON summary; exits
non-zero on the first failure.

    QLIK_HOST=http://127.0.0.1:9090 QLIK_CLIENT_ID=... QLIK_CLIENT_SECRET=... qlik_sdk_flows.py
"""
import json
import os
import sys
import tempfile

from qlik_sdk import AuthType, Config, Qlik


def main():
    qlik = Qlik(Config(host=os.environ["QLIK_HOST"], auth_type=AuthType.OAuth2,
                       client_id=os.environ["QLIK_CLIENT_ID"], client_secret=os.environ["QLIK_CLIENT_SECRET"]))
    qlik.auth.authorize()
    me = qlik.users.get_me()
    spaces = qlik.spaces.get_spaces(limit=1)
    all_spaces = [space.name for space in spaces.pagination]
    items = qlik.items.get_items(resourceType="app")
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
        handle.write(b"id,amount\n1,2.5\n2,7\n")
        path = handle.name
    with open(path, "rb") as content:
        uploaded = qlik.data_files.create(File=content, name="sdk-upload.csv")
    os.unlink(path)
    listed = [file.name for file in qlik.data_files.get_data_files()]
    print(json.dumps({
        "me": {"id": me.id, "name": me.name},
        "spaces": all_spaces,
        "items": [{"name": item.name, "resourceType": getattr(item.resourceType, "value", item.resourceType)} for item in items],
        "upload": {"id": uploaded.id, "name": uploaded.name, "size": uploaded.size},
        "dataFiles": listed,
    }))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report any failure of the SDK as the test's failure
        print(f"qlik-sdk flow failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
