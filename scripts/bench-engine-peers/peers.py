"""Engine table reads by Python peers, for scripts/bench-engine.

  peers.py qlik-sdk BASE_URL API_KEY APP_ID ROWS   Qlik's official SDK, paging a hypercube
  peers.py raw      BASE_URL API_KEY APP_ID ROWS   websocket-client + json.loads: the floor

Both read ROWS rows of the generated table's ten fields in pages of
1,000 rows x 10 columns and print one JSON line with rows/s and peak memory.
"""
import json
import resource
import sys
import time
from urllib.parse import urlparse

FIELDS = ["ID", "Code1", "Amount2", "Name3", "Date4", "Key5", "Code6", "Amount7", "Name8", "Date9"]


def hypercube_definition():
    return {"qInfo": {"qType": "bench"},
            "qHyperCubeDef": {"qDimensions": [{"qDef": {"qFieldDefs": [f]}} for f in FIELDS], "qMeasures": [], "qInitialDataFetch": []}}


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def socket_url(base_url, app_id):
    parsed = urlparse(base_url)
    return ("wss://" if parsed.scheme == "https" else "ws://") + parsed.netloc + "/app/" + app_id


def qlik_sdk_app(base_url, api_key, app_id):
    """The app through qlik-sdk, its engine URL mended: qlik-sdk builds wss://<host>/app/<id>,
    dropping the scheme and port, and the sandbox is plain ws on a chosen port (the sandbox is unchanged)."""
    from qlik_sdk import AuthType, Config, Qlik
    from qlik_sdk import rpc as rpc_module

    original = rpc_module.RpcClient.rpc

    def rpc(self, app):
        session = original(self, app)
        session._ws_url = socket_url(base_url, app)
        return session

    rpc_module.RpcClient.rpc = rpc
    return Qlik(config=Config(host=base_url, auth_type=AuthType.APIKey, api_key=api_key)).apps.get(app_id)


def qlik_sdk_pages(app, rows):
    """The cube's rows, a page of 1,000 x 10 at a time, as qlik-sdk returns them."""
    cube = app.create_session_object(hypercube_definition())
    for top in range(0, rows, 1000):
        yield cube.get_hyper_cube_data("/qHyperCubeDef", [{"qTop": top, "qLeft": 0, "qWidth": 10, "qHeight": 1000}])[0].qMatrix


def qlik_sdk(base_url, api_key, app_id, rows):
    app = qlik_sdk_app(base_url, api_key, app_id)
    with app.open():
        start = time.perf_counter()
        read = sum(len(matrix) for matrix in qlik_sdk_pages(app, rows))
        return read, time.perf_counter() - start


def qlik_sdk_csv(base_url, api_key, app_id, rows, path="/dev/null"):
    """qlik-sdk's paging, each page's rows written to a CSV as `read` does."""
    import csv
    app = qlik_sdk_app(base_url, api_key, app_id)
    start = time.perf_counter()
    read = 0
    with app.open(), open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        for matrix in qlik_sdk_pages(app, rows):
            for row in matrix:
                writer.writerow([cell.qText for cell in row])
            read += len(matrix)
    return read, time.perf_counter() - start


def raw(base_url, api_key, app_id, rows):
    import websocket
    url = socket_url(base_url, app_id)
    # The floor: no per-byte UTF-8 check in Python (qlik-sdk's socket does it, which is why it is slower).
    ws = websocket.create_connection(url, header=["Authorization: Bearer " + api_key], skip_utf8_validation=True)
    json.loads(ws.recv())  # OnConnected
    counter = [0]

    def call(handle, method, params):
        counter[0] += 1
        ws.send(json.dumps({"jsonrpc": "2.0", "id": counter[0], "handle": handle, "method": method, "params": params}))
        while True:
            message = json.loads(ws.recv())
            if message.get("id") == counter[0]:
                return message["result"]

    doc = call(-1, "OpenDoc", [app_id])["qReturn"]["qHandle"]
    cube = call(doc, "CreateSessionObject", [hypercube_definition()])["qReturn"]["qHandle"]
    start = time.perf_counter()
    read = 0
    for top in range(0, rows, 1000):
        result = call(cube, "GetHyperCubeData", ["/qHyperCubeDef", [{"qTop": top, "qLeft": 0, "qWidth": 10, "qHeight": 1000}]])
        read += len(result["qDataPages"][0]["qMatrix"])
    ws.close()
    return read, time.perf_counter() - start


if __name__ == "__main__":
    mode, base_url, api_key, app_id, rows = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    runner = {"qlik-sdk": qlik_sdk, "qlik-sdk-csv": qlik_sdk_csv, "raw": raw}[mode]
    read, seconds = runner(base_url, api_key, app_id, rows)
    name = {"qlik-sdk": "qlik-sdk 0.17.0 (Python)", "qlik-sdk-csv": "qlik-sdk 0.17.0 (Python), to CSV",
            "raw": "websocket-client + json.loads (Python floor)"}[mode]
    print(json.dumps({"reader": name, "rows": read, "seconds": round(seconds, 3), "rowsPerSecond": int(read / seconds),
                      "cellsPerSecond": int(read * 10 / seconds), "peakMiB": peak_mib()}))
