#!/usr/bin/env python3
"""Writes the fuzzer's seed pages: real GetHyperCubeData answers of the sandbox
engine, captured over its WebSocket (Python's standard library only).
Usage: qlik-connector sandbox --port 0 --env-file sandbox.env & ; . sandbox.env ;
       python3 capture-seeds.py   (writes *.json beside this file)"""
import base64, json, os, socket, struct, sys, urllib.parse, urllib.request

url = urllib.parse.urlparse(os.environ["QLIK_SANDBOX_URL"])
key = os.environ["QLIK_SANDBOX_API_KEY"]
here = os.path.dirname(os.path.abspath(__file__))


def rest(path):
    request = urllib.request.Request(f"{url.scheme}://{url.netloc}{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


class Engine:
    """A text-frame WebSocket client: enough for JSON-RPC to the sandbox on loopback."""

    def __init__(self, app_id):
        self.sock = socket.create_connection((url.hostname, url.port))
        nonce = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /app/{app_id} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {nonce}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {key}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            sys.exit(f"the engine upgrade was refused: {head.decode(errors='replace')}")
        self.next_id = 1
        self.receive()  # OnConnected

    def exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                sys.exit("the engine closed the socket")
            data += chunk
        return data

    def receive(self):
        first, second = self.exact(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack(">H", self.exact(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self.exact(8))[0]
        return self.exact(length)

    def call(self, method, handle, params):
        payload = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "handle": handle, "params": params}).encode()
        self.next_id += 1
        mask = os.urandom(4)
        header = bytes([0x81]) + (bytes([0x80 | 126]) + struct.pack(">H", len(payload)) if len(payload) > 125 else bytes([0x80 | len(payload)]))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        return self.receive()


def cube(engine, fields):
    definition = {"qInfo": {"qType": "seed"}, "qHyperCubeDef": {"qDimensions": [{"qDef": {"qFieldDefs": [f]}} for f in fields]}}
    return json.loads(engine.call("CreateSessionObject", 1, [definition]))["result"]["qReturn"]["qHandle"]


def save(name, raw):
    with open(os.path.join(here, name), "wb") as out:
        out.write(raw)
    print(f"{name}: {len(raw)} bytes")


apps = [item for item in rest("/api/v1/items?resourceType=app")["data"] if item["name"] == "Sales Analysis"]
engine = Engine(apps[0]["resourceId"])
engine.call("OpenDoc", -1, [apps[0]["resourceId"]])
tables = json.loads(engine.call("GetTablesAndKeys", 1, [{"qcx": 1000, "qcy": 1000}, {"qcx": 0, "qcy": 0}, 30, True, False]))["result"]["qtr"]
for table in tables[:2]:
    fields = [field["qName"] for field in table["qFields"]][:4]
    handle = cube(engine, fields)
    save(f"{table['qName'].lower()}-page.json", engine.call("GetHyperCubeData", handle, ["/qHyperCubeDef", [{"qTop": 0, "qLeft": 0, "qWidth": len(fields), "qHeight": 12}]]))
    save(f"{table['qName'].lower()}-two-pages.json", engine.call("GetHyperCubeData", handle, ["/qHyperCubeDef", [
        {"qTop": 3, "qLeft": 0, "qWidth": 2, "qHeight": 3}, {"qTop": 3, "qLeft": 2, "qWidth": len(fields) - 2, "qHeight": 3}]]))
save("error-too-large.json", engine.call("GetHyperCubeData", handle, ["/qHyperCubeDef", [{"qTop": 0, "qLeft": 0, "qWidth": 1000, "qHeight": 1000}]]))
save("error-invalid-handle.json", engine.call("GetHyperCubeData", 999, ["/qHyperCubeDef", [{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 1}]]))

# A session app loads values the sales apps lack: NULLs (empty fields), decimals, negative numbers, quotes, backslashes, non-ASCII.
engine = Engine("SessionApp_seeds")
engine.call("CreateSessionApp", -1, [])
engine.call("SetScript", 1, ['Odd: LOAD * INLINE [\nName,Amount,Note\n"Zoë ""the"" first",1.5,café\nback\\slash,-0.25,日本 😀\ntab\there,,\n,1e3,1.50\n];\n'])
engine.call("DoReload", 1, [])
handle = cube(engine, ["Name", "Amount", "Note"])
save("session-app-nulls-escapes.json", engine.call("GetHyperCubeData", handle, ["/qHyperCubeDef", [{"qTop": 0, "qLeft": 0, "qWidth": 3, "qHeight": 10}]]))
