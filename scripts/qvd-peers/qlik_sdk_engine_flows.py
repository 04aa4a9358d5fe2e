#!/usr/bin/env python3
"""Runs the official qlik-sdk's generated engine classes (qlik_sdk.apis.Qix:
Global, Doc, GenericObject, Field) against a tenant's engine, unmodified, and
prints a JSON summary of what each call answered.

The SDK's own connection helper builds wss://HOST/app/ID without the port, so
this script opens the SDK's RpcSession on the tenant's address itself
(ws:// for http://); every call after that goes through the SDK's classes.
A call the engine refuses is recorded as {"error": "..."} beside the others,
so the test that runs this script names each method that failed.

    QLIK_HOST=http://127.0.0.1:9090 QLIK_API_KEY=... QLIK_APP_ID=... qlik_sdk_engine_flows.py
"""
import json
import os
import sys
import traceback

from qlik_sdk.apis.Qix import Global, GenericObjectProperties, NxInfo
from qlik_sdk.interceptors.types import InterceptorHandler
from qlik_sdk.rpc import RpcSession


def plain(value):
    """An SDK object (or list of them) as JSON data."""
    if isinstance(value, list):
        return [plain(element) for element in value]
    if hasattr(value, "__dict__"):
        return {key: plain(item) for key, item in vars(value).items() if not key.startswith("_")}
    return value


def main():
    host, app_id = os.environ["QLIK_HOST"], os.environ["QLIK_APP_ID"]
    url = host.replace("https://", "wss://").replace("http://", "ws://").rstrip("/") + "/app/" + app_id
    summary = {}

    def record(name, call):
        try:
            summary[name] = plain(call())
        except Exception as error:  # the summary names each refused call; the test asserts on it
            summary[name] = {"error": f"{type(error).__name__}: {error}"}
        return summary[name]

    # The interceptor tables the SDK's RpcClient gives its sessions, empty: requests and replies go through unchanged.
    interceptors = {"request": InterceptorHandler(), "response": InterceptorHandler()}
    with RpcSession(url, [f"Authorization: Bearer {os.environ['QLIK_API_KEY']}"], interceptors).open() as session:
        engine = Global(_session=session, qHandle=-1)
        record("engine_version", engine.engine_version)
        record("product_version", engine.product_version)
        record("is_desktop_mode", engine.is_desktop_mode)
        record("allow_create_app", engine.allow_create_app)
        record("get_authenticated_user", engine.get_authenticated_user)
        record("get_unique_id", engine.get_unique_id)
        record("get_supported_code_pages", engine.get_supported_code_pages)
        # qlik-sdk 0.17.0 generates no Qix method for these (its spec is Qlik Cloud's): sent through the SDK's session.
        record("o_s_name", lambda: session.send("OSName", -1)["qReturn"])
        record("q_t_product", lambda: session.send("QTProduct", -1)["qReturn"])
        record("get_doc_list", lambda: session.send("GetDocList", -1)["qDocList"])
        doc = engine.open_doc(app_id)
        summary["open_doc"] = {"qHandle": doc.qHandle, "qGenericId": doc.qGenericId}
        record("get_active_doc", lambda: {"qHandle": engine.get_active_doc().qHandle})
        record("get_tables_and_keys", lambda: doc.get_tables_and_keys(
            {"qcx": 1000, "qcy": 1000}, {"qcx": 0, "qcy": 0}, 30, False, False))
        record("get_script", lambda: len(doc.get_script()) > 0)
        record("get_app_layout", doc.get_app_layout)
        record("get_all_infos", doc.get_all_infos)
        field_list = GenericObjectProperties(qInfo=NxInfo(qType="FieldList"),
                                             qFieldListDef={"qShowSystem": False, "qShowHidden": False})
        record("field_list", lambda: doc.create_session_object(field_list).get_layout())
        cube = GenericObjectProperties(qInfo=NxInfo(qType="table"), qHyperCubeDef={
            "qDimensions": [{"qDef": {"qFieldDefs": ["Region"]}}], "qMeasures": [],
            "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 20}]})
        record("hypercube", lambda: doc.create_session_object(cube).get_layout())
        # App objects: a sheet through GenericObject, a master dimension through GenericDimension.
        record("sheet_layout", lambda: doc.get_object("sheet-overview").get_layout())
        record("sheet_info", lambda: doc.get_object("sheet-overview").get_info())
        record("sheet_children", lambda: doc.get_object("sheet-overview").get_child_infos())
        record("sheet_properties", lambda: doc.get_object("sheet-overview").get_properties())
        record("dimension_properties", lambda: doc.get_dimension("dim-region").get_properties())
        record("select_values", lambda: doc.get_field("Region").select_values([{"qText": "EMEA", "qIsNumeric": False, "qNumber": 0}]))
        record("evaluate", lambda: doc.evaluate("Count(DISTINCT Region)"))
    print(json.dumps(summary, default=str))


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # report any failure of the SDK as the test's failure
        print(f"qlik-sdk engine flow failed: {type(error).__name__}: {error}", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
