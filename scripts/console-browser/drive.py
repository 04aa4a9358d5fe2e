"""Drives the console in headless Chromium over the DevTools protocol, as a
person would: open the sign-in link an administrator sends (it names the
organization), sign in, create an API-key connection, see the field errors of
a bad Base URL, create an OAuth one, run Test Connection against the sandbox.
Saves a screenshot of each state and prints the checks as JSON; exits 1 when
a check fails. At the end it signs out and checks that the sign-in form
remembers the organization.

Usage: drive.py CHROMIUM CONSOLE_URL ORGANIZATION EMAIL PASSWORD TENANT_URL API_KEY CLIENT_ID CLIENT_SECRET OUT_DIR
"""
import base64, json, os, subprocess, sys, tempfile, time, urllib.parse, urllib.request
import websocket  # websocket-client, installed with qlik-sdk in the peers' venv

chromium, console, organization, email, password, tenant, api_key, client_id, client_secret, out = sys.argv[1:11]
os.makedirs(out, exist_ok=True)
profile = tempfile.mkdtemp(prefix="console-browser-")
browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--no-first-run", "--window-size=1280,1000", "--remote-debugging-port=0",
                            f"--user-data-dir={profile}", "about:blank"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
checks = []


def check(name, ok, detail=""):
    checks.append({"check": name, "passed": bool(ok), "detail": detail})


try:
    port_file = os.path.join(profile, "DevToolsActivePort")
    for _ in range(300):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.1)
    port = open(port_file).read().split()[0]
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
    page = next(t for t in targets if t["type"] == "page")
    ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
    counter = [0]

    def call(method, **params):
        counter[0] += 1
        ws.send(json.dumps({"id": counter[0], "method": method, "params": params}))
        while True:
            message = json.loads(ws.recv())
            if message.get("id") == counter[0]:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(expression):
        result = call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for_load(previous_url=None):
        for _ in range(200):
            time.sleep(0.05)
            state = evaluate("document.readyState + ' ' + location.href")
            if state and state.startswith("complete") and (previous_url is None or state.split(" ", 1)[1] != previous_url):
                return
        raise RuntimeError("the page did not load")

    def go(path):
        call("Page.navigate", url=console + path)
        wait_for_load()

    def submit(form_selector="form.auth"):
        before = evaluate("location.href + '#' + performance.timeOrigin")
        evaluate(f"document.querySelector({json.dumps(form_selector)}).querySelector('button[type=submit]').click()")
        for _ in range(400):
            time.sleep(0.05)
            now = evaluate("document.readyState === 'complete' ? location.href + '#' + performance.timeOrigin : ''")
            if now and now != before:
                return
        raise RuntimeError("the form did not submit")

    def fill(values):
        for selector, value in values.items():
            evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.focus(); e.value = {json.dumps(value)}; "
                     f"e.dispatchEvent(new Event('input', {{bubbles: true}})); }})()")

    def shot(name):
        data = call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(os.path.join(out, name + ".png"), "wb") as f:
            f.write(base64.b64decode(data))

    call("Page.enable")
    call("Runtime.enable")
    go("/console/sign-in?organization=" + urllib.parse.quote(organization))
    shot("1-sign-in")
    check("the sign-in form carries a CSRF token, and its cookie is not readable by scripts",
          len(evaluate("(document.querySelector(\"form[action='/console/sign-in'] input[name=csrf]\") || {}).value || ''")) == 43
          and evaluate("document.cookie") == "")
    check("the administrator's link fills in the organization", evaluate("document.querySelector('#organization').value") == organization,
          evaluate("document.querySelector('#organization').value"))
    fill({"#email": email, "#password": password})
    submit("form[action='/console/sign-in']")
    check("signed in and sees the connections", evaluate("location.pathname") == "/console" and "Connections" in evaluate("document.querySelector('h1').textContent"))
    check("session cookie is not readable by scripts", evaluate("document.cookie") == "")

    go("/console/connections/new")
    labels = evaluate("[...document.querySelectorAll('label, legend')].map(l => l.textContent.trim())")
    check("the New connection page shows the seed's fields",
          all(any(label.startswith(x) for label in labels) for x in ["Connection Name", "Description", "Runtime Environment", "Authentication type", "Base URL", "Access Token"]), labels)
    check("every input has a label", evaluate("[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].every(i => i.labels && i.labels.length > 0)"))
    check("API Key shows Access Token and hides the OAuth fields without JavaScript",
          evaluate("getComputedStyle(document.querySelector('#accessToken').closest('.field')).display !== 'none' && getComputedStyle(document.querySelector('#clientSecret').closest('.field')).display === 'none'"))
    shot("2-new-connection")
    fill({"#name": "Sandbox key", "#baseURL": "http://not a url/hub", "#accessToken": api_key})
    submit()
    check("a bad Base URL is refused at its field",
          evaluate("!!document.querySelector('#baseURL-error') && document.querySelector('#baseURL').getAttribute('aria-invalid') === 'true' && document.querySelector('#baseURL').getAttribute('aria-describedby').includes('baseURL-error')"),
          evaluate("(document.querySelector('#baseURL-error') || {}).textContent"))
    check("the error summary links to the field", evaluate("!!document.querySelector('#error-summary a[href=\"#baseURL\"]')"))
    check("the typed secret is not sent back", api_key not in evaluate("document.documentElement.outerHTML"))
    shot("3-field-errors")
    fill({"#baseURL": tenant, "#accessToken": api_key})
    submit()
    check("the API-key connection is created", evaluate("location.pathname") == "/console/connections/Sandbox%20key")
    submit("form[action$='/test']")
    result = evaluate("(document.querySelector('#test-result') || {}).textContent || ''")
    check("Test Connection passes for the API key", "Passed" in result, result[:300])
    shot("4-api-key-tested")

    go("/console/connections/new")
    evaluate("document.querySelector('#auth-oauth2').click()")
    check("OAuth 2.0 swaps the fields without JavaScript",
          evaluate("getComputedStyle(document.querySelector('#accessToken').closest('.field')).display === 'none' && getComputedStyle(document.querySelector('#clientID').closest('.field')).display !== 'none'"))
    fill({"#name": "Sandbox OAuth", "#baseURL": tenant, "#clientID": client_id, "#clientSecret": client_secret})
    shot("5-oauth-form")
    submit()
    submit("form[action$='/test']")
    result = evaluate("(document.querySelector('#test-result') || {}).textContent || ''")
    check("Test Connection passes for OAuth 2.0", "Passed" in result and "OAuth token exchange" in result, result[:300])
    shot("6-oauth-tested")
    go("/console")
    rows = evaluate("[...document.querySelectorAll('tbody tr')].map(r => r.textContent.replace(/\\s+/g, ' ').trim())")
    check("the list shows both connections with their last test", len(rows) == 2 and all("Passed" in r for r in rows), rows)
    shot("7-connections")
    submit("form[action='/console/sign-out']")
    check("signed out, back at the sign-in form", evaluate("location.pathname") == "/console/sign-in")
    check("the sign-in form remembers the organization signed in to (a cookie scripts cannot read)",
          evaluate("document.querySelector('#organization').value") == organization and evaluate("document.cookie") == "",
          evaluate("document.querySelector('#organization').value"))
    fill({"#organization": "Not " + organization, "#email": email, "#password": password})
    submit("form[action='/console/sign-in']")
    check("the right password naming another organization is refused",
          evaluate("location.pathname") == "/console/sign-in"
          and "The organization, the e-mail address or the password is wrong." in evaluate("(document.querySelector('#sign-in-error') || {}).textContent || ''"),
          evaluate("(document.querySelector('#sign-in-error') || {}).textContent || ''"))
    shot("8-signed-out")
except Exception as error:  # a step that could not run is a failed check, reported with the others
    check("the walk-through ran to the end", False, f"{type(error).__name__}: {error}")
finally:
    browser.terminate()
    try:
        browser.wait(timeout=10)
    except subprocess.TimeoutExpired:
        browser.kill()

print(json.dumps(checks, indent=1))
sys.exit(0 if checks and all(c["passed"] for c in checks) else 1)
