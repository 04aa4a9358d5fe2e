import Mustache

/// The console's pages: server-rendered HTML that works without JavaScript.
/// Mustache escapes every `{{value}}`; only the layout's own markup is raw.
enum ConsoleTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [("header", header), ("footer", footer), ("sign-in", signIn), ("connections", connections),
                             ("connection-form", connectionForm), ("connection", connection), ("delete", delete), ("message", message), ("setup", setup),
                             ("tasks", tasks), ("task", task), ("agents", agents)] {
            try library.register(text, named: name)
        }
        return library
    }

    static let header = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · QlikConnector</title>
    <style>
    :root { --ink:#1d2733; --muted:#5b6b7d; --line:#d9e0e7; --brand:#00873d; --brand-dark:#006630; --bad:#b3261e; --bad-bg:#fdecea; --ok-bg:#e7f5ec; --bg:#f5f7f9; }
    * { box-sizing: border-box; }
    body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
    a { color:var(--brand-dark); }
    .skip { position:absolute; left:-999px; } .skip:focus { left:8px; top:8px; background:#fff; padding:6px 10px; z-index:2; }
    header.top { display:flex; align-items:center; gap:16px; padding:12px 28px; background:#fff; border-bottom:1px solid var(--line); }
    header.top .brand { font-weight:700; font-size:17px; color:var(--ink); text-decoration:none; }
    header.top .brand span { color:var(--brand); }
    header.top .who { margin-left:auto; color:var(--muted); font-size:14px; }
    header.top form { margin:0; }
    main { max-width:980px; margin:28px auto; padding:0 28px; }
    h1 { font-size:24px; margin:0 0 18px; }
    .card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:22px 26px; margin-bottom:20px; }
    table { width:100%; border-collapse:collapse; }
    th, td { text-align:left; padding:10px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
    th { font-size:13px; color:var(--muted); font-weight:600; }
    .badge { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; font-weight:600; }
    .badge.ok { background:var(--ok-bg); color:var(--brand-dark); } .badge.bad { background:var(--bad-bg); color:var(--bad); } .badge.none { background:#eef1f4; color:var(--muted); }
    .field { margin-bottom:18px; }
    .field label, .field legend { display:block; font-weight:600; margin-bottom:4px; }
    .field .rule { color:var(--muted); font-size:13px; margin:2px 0 6px; }
    .field input[type=text], .field input[type=url], .field input[type=password], .field input[type=email], .field select, .field textarea {
      width:100%; max-width:560px; padding:8px 10px; border:1px solid #b8c4cf; border-radius:6px; font:inherit; background:#fff; }
    .field textarea { min-height:80px; }
    .field .error { color:var(--bad); font-weight:600; font-size:14px; margin:4px 0 0; }
    .field.invalid input, .field.invalid select, .field.invalid textarea { border-color:var(--bad); background:var(--bad-bg); }
    input:focus, select:focus, textarea:focus, button:focus, a:focus { outline:3px solid #7cc4a0; outline-offset:1px; }
    fieldset { border:0; padding:0; margin:0; }
    .choices label { display:inline-flex; gap:6px; align-items:center; font-weight:400; margin-right:18px; }
    form.auth:has(#auth-api-key:checked) .oauth-only { display:none; }
    form.auth:has(#auth-oauth2:checked) .api-key-only { display:none; }
    .summary { border:2px solid var(--bad); background:var(--bad-bg); border-radius:8px; padding:12px 16px; margin-bottom:20px; }
    .summary h2 { font-size:16px; margin:0 0 6px; color:var(--bad); }
    button, .button { display:inline-block; background:var(--brand); color:#fff; border:0; border-radius:6px; padding:9px 16px; font:inherit; font-weight:600; cursor:pointer; text-decoration:none; }
    button.secondary, .button.secondary { background:#fff; color:var(--ink); border:1px solid #b8c4cf; }
    button.danger { background:var(--bad); }
    .actions { display:flex; gap:10px; align-items:center; margin-top:8px; }
    .steps li { margin-bottom:10px; } .steps .hint { color:var(--muted); }
    dl.props { display:grid; grid-template-columns: 200px 1fr; gap:6px 16px; margin:0; } dl.props dt { color:var(--muted); }
    .notice { background:var(--ok-bg); border-radius:8px; padding:10px 14px; margin-bottom:18px; }
    </style>
    </head>
    <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="/console">Qlik<span>Connector</span></a>
      {{#user}}
      <nav aria-label="Console"><a href="/console">Connections</a> · <a href="/console/tasks">Tasks</a> · <a href="/console/agents">Agents</a></nav>
      <span class="who">{{email}} · {{role}}</span>
      <form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary" type="submit">Sign out</button></form>
      {{/user}}
    </header>
    <main id="main">
    """

    static let footer = """
    </main>
    </body>
    </html>
    """

    static let signIn = """
    {{> header}}
    <div class="card" style="max-width:460px;margin:40px auto">
      <h1>Sign in</h1>
      {{#error}}<p class="summary" role="alert" id="sign-in-error">{{error}}</p>{{/error}}
      <form method="post" action="/console/sign-in">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <div class="field">
          <label for="organization">Organization</label>
          <p class="rule" id="organization-rule">The name of your organization in this service, as your administrator gave it (any letter case).</p>
          <input type="text" id="organization" name="organization" value="{{organization}}" autocomplete="organization" required aria-describedby="organization-rule{{#error}} sign-in-error{{/error}}">
        </div>
        <div class="field">
          <label for="email">E-mail address</label>
          <input type="email" id="email" name="email" value="{{email}}" autocomplete="username" required {{#error}}aria-describedby="sign-in-error"{{/error}}>
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input type="password" id="password" name="password" autocomplete="current-password" required>
        </div>
        <button type="submit">Sign in</button>
      </form>
    </div>
    {{> footer}}
    """

    static let connections = """
    {{> header}}
    <div class="actions" style="justify-content:space-between;margin-bottom:14px">
      <h1>Connections</h1>
      {{#canManage}}<a class="button" href="/console/connections/new">New connection</a>{{/canManage}}
    </div>
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    <div class="card">
    {{#hasConnections}}
    <table>
      <caption class="skip">The organization's Qlik Cloud connections</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Authentication</th><th scope="col">Runtime environment</th><th scope="col">Last test</th></tr></thead>
      <tbody>
      {{#connections}}
        <tr>
          <td><a href="/console/connections/{{path}}">{{name}}</a>{{#description}}<br><small style="color:var(--muted)">{{description}}</small>{{/description}}</td>
          <td>Qlik Cloud</td>
          <td>{{authentication}}</td>
          <td>{{runtimeEnvironment}}</td>
          <td>{{#tested}}<span class="badge {{testClass}}">{{testVerdict}}</span><br><small>{{testedAt}}</small>{{/tested}}{{^tested}}<span class="badge none">Not tested</span>{{/tested}}</td>
        </tr>
      {{/connections}}
      </tbody>
    </table>
    {{/hasConnections}}
    {{^hasConnections}}<p>No connections yet.{{#canManage}} <a href="/console/connections/new">Create the first one</a>.{{/canManage}}</p>{{/hasConnections}}
    </div>
    {{> footer}}
    """

    static let connectionForm = """
    {{> header}}
    <h1>{{heading}}</h1>
    {{#hasErrors}}
    <div class="summary" role="alert" tabindex="-1" id="error-summary">
      <h2>The connection was not saved: fix {{errorCount}} field(s)</h2>
      <ul>{{#errors}}<li><a href="#{{field}}">{{label}}: {{message}}</a></li>{{/errors}}</ul>
    </div>
    {{/hasErrors}}
    <form class="card auth" method="post" action="{{action}}" novalidate>
      <input type="hidden" name="csrf" value="{{csrf}}">
      <div class="field {{#nameError}}invalid{{/nameError}}">
        <label for="name">Connection Name</label>
        <p class="rule" id="name-rule">Unique within the organization. Letters, digits, spaces and _ . + - ; at most 255 characters.</p>
        <input type="text" id="name" name="name" value="{{values.name}}" maxlength="255" required aria-describedby="name-rule{{#nameError}} name-error{{/nameError}}" {{#nameError}}aria-invalid="true"{{/nameError}}>
        {{#nameError}}<p class="error" id="name-error">{{nameError}}</p>{{/nameError}}
      </div>
      <div class="field {{#descriptionError}}invalid{{/descriptionError}}">
        <label for="description">Description</label>
        <p class="rule" id="description-rule">Optional; at most 4000 characters.</p>
        <textarea id="description" name="description" maxlength="4000" aria-describedby="description-rule{{#descriptionError}} description-error{{/descriptionError}}">{{values.description}}</textarea>
        {{#descriptionError}}<p class="error" id="description-error">{{descriptionError}}</p>{{/descriptionError}}
      </div>
      {{#secretsManager}}
      <div class="field {{#useSecretVaultError}}invalid{{/useSecretVaultError}}">
        <label><input type="checkbox" id="useSecretVault" name="useSecretVault" value="on" {{#vaultChecked}}checked{{/vaultChecked}} aria-describedby="vault-rule"> Use Secret Vault</label>
        <p class="rule" id="vault-rule">Take the credentials you choose from the organization's secrets manager ({{secretsManager}}): give a secret reference instead of a value.</p>
        {{#useSecretVaultError}}<p class="error" id="useSecretVault-error">{{useSecretVaultError}}</p>{{/useSecretVaultError}}
      </div>
      {{/secretsManager}}
      <div class="field {{#runtimeEnvironmentError}}invalid{{/runtimeEnvironmentError}}">
        <label for="runtimeEnvironment">Runtime Environment</label>
        <p class="rule" id="runtime-rule">Where the connection's tasks run: a Secure Agent group or the serverless environment.</p>
        <select id="runtimeEnvironment" name="runtimeEnvironment" aria-describedby="runtime-rule">
          {{#environments}}<option value="{{name}}" {{#selected}}selected{{/selected}}>{{name}} ({{kind}})</option>{{/environments}}
        </select>
        {{#runtimeEnvironmentError}}<p class="error" id="runtimeEnvironment-error">{{runtimeEnvironmentError}}</p>{{/runtimeEnvironmentError}}
      </div>
      <fieldset class="field">
        <legend>Authentication type</legend>
        <div class="choices">
          <label><input type="radio" id="auth-api-key" name="authenticationType" value="api-key" {{#apiKeySelected}}checked{{/apiKeySelected}}> API Key</label>
          <label><input type="radio" id="auth-oauth2" name="authenticationType" value="oauth2" {{#oauthSelected}}checked{{/oauthSelected}}> OAuth 2.0</label>
        </div>
      </fieldset>
      <div class="field {{#baseURLError}}invalid{{/baseURLError}}">
        <label for="baseURL">Base URL</label>
        <p class="rule" id="baseURL-rule">https://&lt;your-tenant-id&gt;.&lt;region&gt;.qlikcloud.com</p>
        <input type="url" id="baseURL" name="baseURL" value="{{values.baseURL}}" required aria-describedby="baseURL-rule{{#baseURLError}} baseURL-error{{/baseURLError}}" {{#baseURLError}}aria-invalid="true"{{/baseURLError}}>
        {{#baseURLError}}<p class="error" id="baseURL-error">{{baseURLError}}</p>{{/baseURLError}}
      </div>
      {{#credentials}}
      <div class="field {{only}} {{#error}}invalid{{/error}}">
        <label for="{{field}}">{{label}}</label>
        <p class="rule" id="{{field}}-rule">{{rule}}{{#stored}} A value is stored: leave this empty to keep it.{{/stored}}</p>
        <input type="{{inputType}}" id="{{field}}" name="{{field}}" value="" autocomplete="off" aria-describedby="{{field}}-rule{{#error}} {{field}}-error{{/error}}" {{#error}}aria-invalid="true"{{/error}}>
        {{#vault}}<label for="{{field}}Reference" style="font-weight:400;margin-top:6px">or a secret reference</label>
        <input type="text" id="{{field}}Reference" name="{{field}}Reference" value="{{reference}}" aria-describedby="{{field}}-rule">{{/vault}}
        {{#error}}<p class="error" id="{{field}}-error">{{error}}</p>{{/error}}
      </div>
      {{/credentials}}
      <div class="actions">
        <button type="submit">{{submit}}</button>
        <a class="button secondary" href="{{cancel}}">Cancel</a>
      </div>
    </form>
    {{> footer}}
    """

    static let connection = """
    {{> header}}
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    <h1>{{name}}</h1>
    <div class="card">
      <dl class="props">
        <dt>Description</dt><dd>{{#description}}{{description}}{{/description}}{{^description}}—{{/description}}</dd>
        <dt>Runtime Environment</dt><dd>{{runtimeEnvironment}}</dd>
        <dt>Use Secret Vault</dt><dd>{{#useSecretVault}}Yes{{/useSecretVault}}{{^useSecretVault}}No{{/useSecretVault}}</dd>
        <dt>Authentication type</dt><dd>{{authentication}}</dd>
        <dt>Base URL</dt><dd>{{baseURL}}</dd>
        {{#credentials}}<dt>{{label}}</dt><dd>{{source}}</dd>{{/credentials}}
      </dl>
      {{#canManage}}
      <div class="actions" style="margin-top:18px">
        <form method="post" action="/console/connections/{{path}}/test"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Test Connection</button></form>
        <a class="button secondary" href="/console/connections/{{path}}/edit">Edit</a>
        <a class="button secondary" href="/console/connections/{{path}}/delete">Delete</a>
      </div>
      {{/canManage}}
    </div>
    {{#test}}
    <div class="card" id="test-result" tabindex="-1">
      <h2 style="margin-top:0">Test Connection: <span class="badge {{testClass}}">{{verdict}}</span></h2>
      <p>{{summary}} <small style="color:var(--muted)">({{testedAt}})</small></p>
      {{#hasSteps}}<ol class="steps">{{#steps}}<li><strong>{{name}}</strong> — <span class="badge {{class}}">{{verdict}}</span> <small>{{milliseconds}} ms</small><br>{{detail}}{{#hint}}<br><span class="hint">What to do: {{hint}}</span>{{/hint}}</li>{{/steps}}</ol>{{/hasSteps}}
    </div>
    {{/test}}
    <p><a href="/console">← All connections</a></p>
    {{> footer}}
    """

    static let delete = """
    {{> header}}
    <h1>Delete {{name}}?</h1>
    <form class="card" method="post" action="/console/connections/{{path}}/delete">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <p>The connection and its stored credentials are deleted. Tasks that use it will stop working. This cannot be undone.</p>
      <div class="actions"><button class="danger" type="submit">Delete connection</button><a class="button secondary" href="/console/connections/{{path}}">Keep it</a></div>
    </form>
    {{> footer}}
    """

    static let message = """
    {{> header}}
    <h1>{{heading}}</h1>
    <div class="card"><p>{{message}}</p><p><a href="{{link}}">{{linkText}}</a></p></div>
    {{> footer}}
    """

    static let setup = """
    {{> header}}
    <div class="card" style="max-width:560px;margin:40px auto">
      <h1>Set up QlikConnector</h1>
      <p>Create the first administrator. This link works once, for an hour, and only while there is no administrator.</p>
      {{#hasErrors}}
      <div class="summary" role="alert" tabindex="-1" id="error-summary">
        <h2>Nothing was created: fix {{errorCount}} field(s)</h2>
        <ul>{{#errors}}<li><a href="#{{field}}">{{label}}: {{message}}</a></li>{{/errors}}</ul>
      </div>
      {{/hasErrors}}
      <form method="post" action="/console/setup" novalidate>
        <input type="hidden" name="token" value="{{token}}">
        <div class="field {{#organizationError}}invalid{{/organizationError}}">
          <label for="organization">Organization</label>
          <p class="rule" id="organization-rule">An organization that exists is joined; another name creates it. At most 255 characters.</p>
          <input type="text" id="organization" name="organization" value="{{values.organization}}" required aria-describedby="organization-rule{{#organizationError}} organization-error{{/organizationError}}" {{#organizationError}}aria-invalid="true"{{/organizationError}}>
          {{#organizationError}}<p class="error" id="organization-error">{{organizationError}}</p>{{/organizationError}}
        </div>
        <div class="field {{#emailError}}invalid{{/emailError}}">
          <label for="email">E-mail address</label>
          <p class="rule" id="email-rule">You sign in with it.</p>
          <input type="email" id="email" name="email" value="{{values.email}}" autocomplete="username" required aria-describedby="email-rule{{#emailError}} email-error{{/emailError}}" {{#emailError}}aria-invalid="true"{{/emailError}}>
          {{#emailError}}<p class="error" id="email-error">{{emailError}}</p>{{/emailError}}
        </div>
        <div class="field">
          <label for="displayName">Display name</label>
          <p class="rule" id="displayName-rule">Optional; shown in the console.</p>
          <input type="text" id="displayName" name="displayName" value="{{values.displayName}}" autocomplete="name" aria-describedby="displayName-rule">
        </div>
        <div class="field {{#passwordError}}invalid{{/passwordError}}">
          <label for="password">Password</label>
          <p class="rule" id="password-rule">12 to 256 characters, not one character repeated.</p>
          <input type="password" id="password" name="password" autocomplete="new-password" required aria-describedby="password-rule{{#passwordError}} password-error{{/passwordError}}" {{#passwordError}}aria-invalid="true"{{/passwordError}}>
          {{#passwordError}}<p class="error" id="password-error">{{passwordError}}</p>{{/passwordError}}
        </div>
        <div class="field {{#confirmationError}}invalid{{/confirmationError}}">
          <label for="confirmation">Password again</label>
          <input type="password" id="confirmation" name="confirmation" autocomplete="new-password" required {{#confirmationError}}aria-describedby="confirmation-error" aria-invalid="true"{{/confirmationError}}>
          {{#confirmationError}}<p class="error" id="confirmation-error">{{confirmationError}}</p>{{/confirmationError}}
        </div>
        <button type="submit">Create administrator and sign in</button>
      </form>
    </div>
    {{> footer}}
    """

    static let tasks = """
    {{> header}}
    <h1>Tasks</h1>
    <div class="card">
    {{#hasTasks}}
    <table>
      <caption class="skip">The organization's newest tasks</caption>
      <thead><tr><th scope="col">Task</th><th scope="col">Kind</th><th scope="col">State</th><th scope="col">Connection</th><th scope="col">Runtime environment</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
      <tbody>
      {{#tasks}}
        <tr>
          <td><a href="/console/tasks/{{id}}">{{shortID}}</a></td><td>{{kind}}</td><td><span class="badge {{stateClass}}">{{state}}</span></td>
          <td>{{connection}}</td><td>{{runtimeEnvironment}}</td><td>{{attempts}} of {{maxAttempts}}</td><td>{{createdAt}}</td>
        </tr>
      {{/tasks}}
      </tbody>
    </table>
    {{/hasTasks}}
    {{^hasTasks}}<p>No tasks yet: Test Connection runs as one.</p>{{/hasTasks}}
    </div>
    {{> footer}}
    """

    static let task = """
    {{> header}}
    <p><a href="/console/tasks">← All tasks</a></p>
    <h1>Task {{shortID}}</h1>
    <div class="card">
      <dl class="props">
        <dt>Kind</dt><dd>{{kind}}</dd>
        <dt>State</dt><dd><span class="badge {{stateClass}}">{{state}}</span></dd>
        <dt>Connection</dt><dd>{{connection}}</dd>
        <dt>Runtime environment</dt><dd>{{runtimeEnvironment}}</dd>
        <dt>Attempts</dt><dd>{{attempts}} of {{maxAttempts}}</dd>
        <dt>Requested by</dt><dd>{{requestedBy}}</dd>
        <dt>Created</dt><dd>{{createdAt}}</dd>
        <dt>Started</dt><dd>{{startedAt}}</dd>
        <dt>Finished</dt><dd>{{finishedAt}}</dd>
        {{#error}}<dt>Error</dt><dd>{{error}}</dd>{{/error}}
      </dl>
    </div>
    {{#parameters}}<h2>Parameters</h2>
    <div class="card"><pre>{{parameters}}</pre></div>{{/parameters}}
    {{#result}}<h2>Result</h2>
    <div class="card"><pre>{{result}}</pre>{{#resultCut}}<p>The first 20,000 characters; all of it: <code>GET /api/v1/tasks/{{id}}/result</code>.</p>{{/resultCut}}</div>{{/result}}
    <h2>Log</h2>
    <div class="card">
    {{#hasLines}}<ol class="steps">{{#lines}}<li><small>{{at}} {{level}}</small><br>{{message}}</li>{{/lines}}</ol>{{/hasLines}}
    {{^hasLines}}<p>Nothing logged yet.</p>{{/hasLines}}
    </div>
    {{> footer}}
    """

    static let agents = """
    {{> header}}
    <h1>Secure Agents</h1>
    <div class="card">
    {{#hasAgents}}
    <table>
      <caption class="skip">The organization's Secure Agents</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Group</th><th scope="col">Status</th><th scope="col">Host</th><th scope="col">Version</th><th scope="col">Last heartbeat</th></tr></thead>
      <tbody>
      {{#agents}}
        <tr><td>{{name}}</td><td>{{runtimeEnvironment}}</td><td><span class="badge {{statusClass}}">{{status}}</span></td><td>{{host}}</td><td>{{version}}</td><td>{{lastHeartbeat}}</td></tr>
      {{/agents}}
      </tbody>
    </table>
    {{/hasAgents}}
    {{^hasAgents}}<p>No agents yet. An administrator creates one with 'qlik-connector agent create GROUP NAME'.</p>{{/hasAgents}}
    </div>
    {{> footer}}
    """
}
