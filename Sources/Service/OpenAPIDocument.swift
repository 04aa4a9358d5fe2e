/// The API's description, OpenAPI 3.1, served at `/openapi.json`. Written
/// by hand beside the routes: a test checks every route here answers, and
/// the test command fuzzes the running service against it.
enum OpenAPIDocument {
    static let json = Array(text.utf8)

    static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "QlikConnector service",
        "version": "0.7.0",
        "description": "Qlik Cloud connections for an organization: define them, keep their secrets sealed, test them. Authenticate with a personal API token: 'Authorization: Bearer qcs_...'."
      },
      "servers": [
        {
          "url": "/"
        }
      ],
      "security": [
        {
          "bearer": []
        }
      ],
      "components": {
        "securitySchemes": {
          "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (qcs_...)."
          },
          "agentToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "A Secure Agent's token (qca_...), from 'agent create' or POST /api/v1/runtime-environments/{name}/agents."
          }
        },
        "parameters": {
          "Name": {
            "name": "name",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "minLength": 1
            }
          },
          "ID": {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        },
        "responses": {
          "Error": {
            "description": "An error",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Error"
                }
              }
            }
          }
        },
        "schemas": {
          "Error": {
            "type": "object",
            "required": [
              "error"
            ],
            "properties": {
              "error": {
                "type": "object",
                "required": [
                  "code",
                  "message"
                ],
                "properties": {
                  "code": {
                    "type": "string"
                  },
                  "message": {
                    "type": "string"
                  },
                  "field": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "problems": {
                    "type": [
                      "array",
                      "null"
                    ],
                    "items": {
                      "type": "object",
                      "required": [
                        "field",
                        "message"
                      ],
                      "properties": {
                        "field": {
                          "type": "string"
                        },
                        "message": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "User": {
            "type": "object",
            "required": [
              "id",
              "email",
              "displayName",
              "role",
              "disabled",
              "createdAt"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "email": {
                "type": "string"
              },
              "displayName": {
                "type": "string"
              },
              "role": {
                "type": "string",
                "enum": [
                  "admin",
                  "designer",
                  "viewer"
                ]
              },
              "disabled": {
                "type": "boolean"
              },
              "createdAt": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "NewUser": {
            "type": "object",
            "required": [
              "email",
              "role"
            ],
            "properties": {
              "email": {
                "type": "string",
                "description": "The sign-in name, unique in the organization (compared without regard to case); another organization may have a user with the same address, a separate account. A taken address answers 409 duplicate_email."
              },
              "displayName": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "role": {
                "type": "string",
                "description": "admin, designer or viewer"
              },
              "password": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "UserChange": {
            "type": "object",
            "properties": {
              "email": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "displayName": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "role": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "disabled": {
                "type": [
                  "boolean",
                  "null"
                ]
              },
              "password": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "Organization": {
            "type": "object",
            "required": [
              "id",
              "name",
              "credentialStorage",
              "createdAt"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "name": {
                "type": "string"
              },
              "credentialStorage": {
                "type": "string",
                "enum": [
                  "repository",
                  "local-agent"
                ]
              },
              "secretsManager": {
                "oneOf": [
                  {
                    "$ref": "#/components/schemas/SecretsManager"
                  },
                  {
                    "type": "null"
                  }
                ]
              },
              "createdAt": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "OrganizationChange": {
            "type": "object",
            "properties": {
              "secretsManager": {
                "type": "object",
                "description": "kind none removes it; aws takes region and endpoint; vault takes address and mount.",
                "required": ["kind"],
                "properties": {
                  "kind": { "type": "string", "enum": ["none", "aws", "vault"] },
                  "region": { "type": "string" }, "endpoint": { "type": "string" }, "address": { "type": "string" }, "mount": { "type": "string" }
                }
              },
              "secretsManagerCredentials": {
                "type": "object",
                "description": "Write-only. The secrets manager's own credentials, kept sealed: awsAccessKeyID with awsSecretAccessKey, or vaultRoleID with vaultSecretID. An empty object keeps none (the environment where each task runs serves).",
                "properties": {
                  "awsAccessKeyID": { "type": "string" }, "awsSecretAccessKey": { "type": "string" },
                  "vaultRoleID": { "type": "string" }, "vaultSecretID": { "type": "string" }
                },
                "additionalProperties": { "type": "string" }
              },
              "name": {
                "type": [
                  "string",
                  "null"
                ],
                "description": "Only a change of letter case: the name is unique in the service and set by its operator (qlik-connector org set --name); another name answers 403 name_set_by_operator, whatever other organizations are called."
              },
              "allowCustomTenantHosts": {
                "type": [
                  "boolean",
                  "null"
                ],
                "deprecated": true,
                "description": "No longer an organization setting: any value answers 422 tenant_hosts_set_by_operator. Hosts outside Qlik Cloud are admitted only by the service's operator (qlik-connector hosts allow HOST:PORT)."
              }
            }
          },
          "AccessToken": {
            "type": "object",
            "required": [
              "id",
              "name",
              "prefix",
              "createdAt"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "name": {
                "type": "string"
              },
              "prefix": {
                "type": "string"
              },
              "createdAt": {
                "type": "string",
                "format": "date-time"
              },
              "expiresAt": {
                "type": [
                  "string",
                  "null"
                ],
                "format": "date-time"
              },
              "lastUsedAt": {
                "type": [
                  "string",
                  "null"
                ],
                "format": "date-time"
              },
              "revokedAt": {
                "type": [
                  "string",
                  "null"
                ],
                "format": "date-time"
              },
              "token": {
                "type": [
                  "string",
                  "null"
                ],
                "description": "The secret: in the answer to the create only."
              }
            }
          },
          "NewAccessToken": {
            "type": "object",
            "required": [
              "name"
            ],
            "properties": {
              "name": {
                "type": "string"
              },
              "expiresInDays": {
                "type": [
                  "integer",
                  "null"
                ]
              }
            }
          },
          "RuntimeEnvironment": {
            "type": "object",
            "required": [
              "id",
              "name",
              "kind",
              "createdAt"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "name": {
                "type": "string"
              },
              "kind": {
                "type": "string",
                "enum": [
                  "secure-agent-group",
                  "serverless"
                ]
              },
              "createdAt": {
                "type": "string",
                "format": "date-time"
              }
            }
          },
          "NewRuntimeEnvironment": {
            "type": "object",
            "required": [
              "name"
            ],
            "properties": {
              "name": {
                "type": "string"
              }
            }
          },
          "ConnectionInput": {
            "type": "object",
            "description": "The connection form. Secret fields are write-only; left out or empty on a change, the stored value stays. null is the same as leaving a field out.",
            "properties": {
              "name": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "description": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "runtimeEnvironment": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "useSecretVault": {
                "type": [
                  "boolean",
                  "null"
                ]
              },
              "authenticationType": {
                "type": [
                  "string",
                  "null"
                ],
                "enum": [
                  "api-key",
                  "oauth2",
                  null
                ]
              },
              "baseURL": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "accessToken": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "accessTokenReference": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "clientID": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "clientIDReference": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "clientSecret": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "clientSecretReference": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "Credential": {
            "type": "object",
            "required": [
              "source"
            ],
            "description": "Where a credential comes from; a stored value shows only as a mask.",
            "properties": {
              "source": {
                "type": "string",
                "enum": [
                  "repository",
                  "secret-vault",
                  "agent"
                ]
              },
              "value": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "reference": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "Connection": {
            "type": "object",
            "required": [
              "id",
              "name",
              "runtimeEnvironment",
              "useSecretVault",
              "authentication",
              "permittedUses",
              "createdAt",
              "updatedAt"
            ],
            "properties": {
              "id": {
                "type": "string",
                "format": "uuid"
              },
              "name": {
                "type": "string"
              },
              "description": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "runtimeEnvironment": {
                "type": "string"
              },
              "runtimeEnvironmentKind": {
                "type": [
                  "string",
                  "null"
                ],
                "enum": [
                  "secure-agent-group",
                  "serverless",
                  null
                ]
              },
              "useSecretVault": {
                "type": "boolean"
              },
              "authentication": {
                "type": "object",
                "required": [
                  "type",
                  "baseURL"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "enum": [
                      "api-key",
                      "oauth2"
                    ]
                  },
                  "baseURL": {
                    "type": "string"
                  },
                  "accessToken": {
                    "oneOf": [
                      {
                        "$ref": "#/components/schemas/Credential"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "clientID": {
                    "oneOf": [
                      {
                        "$ref": "#/components/schemas/Credential"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  },
                  "clientSecret": {
                    "oneOf": [
                      {
                        "$ref": "#/components/schemas/Credential"
                      },
                      {
                        "type": "null"
                      }
                    ]
                  }
                }
              },
              "permittedUses": {
                "type": "array",
                "items": {
                  "type": "string"
                }
              },
              "createdAt": {
                "type": "string",
                "format": "date-time"
              },
              "updatedAt": {
                "type": "string",
                "format": "date-time"
              },
              "lastTest": {
                "type": [
                  "object",
                  "null"
                ],
                "properties": {
                  "testedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "succeeded": {
                    "type": "boolean"
                  },
                  "summary": {
                    "type": "string"
                  }
                }
              }
            }
          },
          "ConnectionPage": {
            "type": "object",
            "required": [
              "items",
              "total"
            ],
            "properties": {
              "items": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Connection"
                }
              },
              "total": {
                "type": "integer"
              },
              "nextCursor": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          },
          "TestReport": {
            "type": "object",
            "required": [
              "succeeded",
              "summary",
              "steps"
            ],
            "properties": {
              "succeeded": {
                "type": "boolean"
              },
              "summary": {
                "type": "string"
              },
              "steps": {
                "type": "array",
                "items": {
                  "type": "object"
                }
              }
            }
          },
          "Agent": {
            "type": "object",
            "required": ["id", "name", "runtimeEnvironment", "createdAt", "status"],
            "properties": {
              "id": { "type": "string", "format": "uuid" },
              "name": { "type": "string" },
              "runtimeEnvironment": { "type": "string" },
              "host": { "type": "string" },
              "version": { "type": "string" },
              "createdAt": { "type": "string", "format": "date-time" },
              "lastHeartbeatAt": { "type": "string", "format": "date-time" },
              "status": { "type": "string", "enum": ["never-seen", "available", "unavailable"] },
              "token": { "type": "string", "description": "Only in the answer to the create: the one time the token is shown." }
            }
          },
          "Task": {
            "type": "object",
            "required": ["id", "kind", "state", "runtimeEnvironment", "attempts", "maxAttempts", "requestedBy", "createdAt"],
            "properties": {
              "id": { "type": "string", "format": "uuid" },
              "kind": { "type": "string", "enum": ["test", "discover", "read", "write", "reload", "noop"] },
              "state": { "type": "string", "enum": ["queued", "running", "succeeded", "failed"] },
              "connection": { "type": "string" },
              "runtimeEnvironment": { "type": "string" },
              "attempts": { "type": "integer", "minimum": 0 },
              "maxAttempts": { "type": "integer", "minimum": 1 },
              "requestedBy": { "type": "string" },
              "createdAt": { "type": "string", "format": "date-time" },
              "startedAt": { "type": "string", "format": "date-time" },
              "finishedAt": { "type": "string", "format": "date-time" },
              "error": { "type": "string" }
            }
          },
          "PendingTask": {
            "description": "A task not finished when the request stopped waiting. On a Secure Agent group, availableAgents counts the group's agents that are running and sent a heartbeat within their lease (an agent that signed off on a clean stop does not count); when it is 0 the answer comes at once, or as soon as the last agent of the group stops or falls silent while the request waits (the task stays queued until an agent of the group takes it) and message names the group, its agents' last heartbeats and the command that starts one.",
            "allOf": [
              { "$ref": "#/components/schemas/Task" },
              {
                "type": "object",
                "properties": {
                  "availableAgents": { "type": "integer", "minimum": 0 },
                  "message": { "type": "string" }
                }
              }
            ]
          },
          "NewTask": {
            "type": "object",
            "required": ["kind"],
            "additionalProperties": false,
            "properties": {
              "kind": { "type": "string", "enum": ["discover", "read", "write", "reload"] },
              "parameters": {
                "type": "object",
                "description": "discover: space, spaceType (shared, managed, data), app (patterns with * and ?), concurrency (apps read at once, 1 to 256, default 8), sequential (one app and one request at a time, for comparison). read: app with table, or dataFile; fields; path (.csv, .jsonl, .qvd); format; selections (made before reading, each narrowing the others: only the associated rows are read; a field selected twice, an empty field or no value answers 400; a field or value the app does not hold fails the task naming the nearest ones). write: path, dataFile, space, format (qvd, csv), mode (create, replace), reload (app names), wait. reload: app, wait.",
                "properties": {
                  "space": { "type": "string" }, "spaceType": { "type": "string", "enum": ["shared", "managed", "data"] }, "app": { "type": "string" },
                  "concurrency": { "type": "integer", "minimum": 1, "maximum": 256 }, "sequential": { "type": "boolean" },
                  "table": { "type": "string" }, "dataFile": { "type": "string" }, "fields": { "type": "array", "items": { "type": "string" } },
                  "path": { "type": "string" }, "format": { "type": "string", "enum": ["csv", "jsonl", "qvd"] },
                  "mode": { "type": "string", "enum": ["create", "replace"] }, "reload": { "type": "array", "items": { "type": "string" } },
                  "wait": { "type": "boolean" },
                  "selections": { "type": "array", "items": { "type": "object", "required": ["field", "values"], "additionalProperties": false, "properties": {
                    "field": { "type": "string", "minLength": 1 }, "values": { "type": "array", "minItems": 1, "items": { "type": "string" } } } } }
                }
              }
            }
          },
          "TaskLogLine": {
            "type": "object",
            "required": ["at", "level", "message"],
            "properties": {
              "at": { "type": "string", "format": "date-time" },
              "level": { "type": "string" },
              "message": { "type": "string" }
            }
          },
          "AuditEvent": {
            "type": "object",
            "required": [
              "sequence",
              "at",
              "actor",
              "action",
              "targetKind",
              "targetID",
              "targetName"
            ],
            "properties": {
              "sequence": {
                "type": "integer"
              },
              "at": {
                "type": "string",
                "format": "date-time"
              },
              "actor": {
                "type": "string"
              },
              "action": {
                "type": "string"
              },
              "targetKind": {
                "type": "string"
              },
              "targetID": {
                "type": "string"
              },
              "targetName": {
                "type": "string"
              }
            }
          },
          "SecretsManager": {
            "type": "object",
            "required": [
              "kind"
            ],
            "properties": {
              "credentials": { "type": "string", "enum": ["organization", "environment"] },
              "credentialFields": { "type": "array", "items": { "type": "string" } },
              "kind": {
                "type": "string",
                "enum": [
                  "aws",
                  "vault"
                ]
              },
              "region": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "endpoint": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "address": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "mount": {
                "type": [
                  "string",
                  "null"
                ]
              }
            }
          }
        }
      },
      "paths": {
        "/health": {
          "get": {
            "operationId": "health",
            "security": [],
            "responses": {
              "200": {
                "description": "The service and its repository answer",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "properties": {
                        "status": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              },
              "503": {
                "description": "The repository does not answer",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              }
            }
          }
        },
        "/metrics": {
          "get": {
            "operationId": "metrics",
            "security": [],
            "responses": {
              "200": {
                "description": "Prometheus text format",
                "content": {
                  "text/plain": {
                    "schema": {
                      "type": "string"
                    }
                  }
                }
              }
            }
          }
        },
        "/openapi.json": {
          "get": {
            "operationId": "openapi",
            "security": [],
            "responses": {
              "200": {
                "description": "This document",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object"
                    }
                  }
                }
              }
            }
          }
        },
        "/api/v1/me": {
          "get": {
            "operationId": "me",
            "responses": {
              "200": {
                "description": "The caller",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/organization": {
          "get": {
            "operationId": "getOrganization",
            "responses": {
              "200": {
                "description": "The caller's organization",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Organization"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "patch": {
            "operationId": "updateOrganization",
            "description": "Administrators. A secrets manager address must be https:// (http:// only for a host on the operator's tenant host allow-list) and never a link-local or metadata address (422 validation_failed). Moving the manager (another kind, region, endpoint, address or mount) drops the credentials kept for it unless new ones come in the same request; the audit trail records organization.secrets-manager-credentials.dropped.",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/OrganizationChange"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "Changed",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Organization"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/tokens": {
          "get": {
            "operationId": "listTokens",
            "responses": {
              "200": {
                "description": "The caller's tokens",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/AccessToken"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "post": {
            "operationId": "createToken",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/NewAccessToken"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Created; the secret is in 'token', shown this once",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/AccessToken"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/tokens/{id}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/ID"
            }
          ],
          "delete": {
            "operationId": "revokeToken",
            "responses": {
              "200": {
                "description": "Revoked",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/AccessToken"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/audit-events": {
          "get": {
            "operationId": "auditEvents",
            "description": "Administrators.",
            "parameters": [
              {
                "name": "limit",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 1000
                }
              }
            ],
            "responses": {
              "200": {
                "description": "Newest first",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/AuditEvent"
                      }
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/users": {
          "get": {
            "operationId": "listUsers",
            "description": "Administrators.",
            "responses": {
              "200": {
                "description": "The organization's users",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/User"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "post": {
            "operationId": "createUser",
            "description": "Administrators.",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/NewUser"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/users/{id}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/ID"
            }
          ],
          "get": {
            "operationId": "getUser",
            "responses": {
              "200": {
                "description": "The user",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "patch": {
            "operationId": "updateUser",
            "description": "Administrators. A new password or disabled: true signs the user out everywhere: every console session ends and every personal API token is revoked (revokedAt set), at once; enabling the user again revives none of them.",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/UserChange"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "Changed",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "delete": {
            "operationId": "deleteUser",
            "responses": {
              "200": {
                "description": "Deleted",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/User"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/users/{id}/tokens": {
          "parameters": [
            {
              "$ref": "#/components/parameters/ID"
            }
          ],
          "get": {
            "operationId": "listUserTokens",
            "responses": {
              "200": {
                "description": "The user's tokens",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/AccessToken"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/users/{id}/tokens/{token}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/ID"
            },
            {
              "name": "token",
              "in": "path",
              "required": true,
              "schema": {
                "type": "string",
                "format": "uuid"
              }
            }
          ],
          "delete": {
            "operationId": "revokeUserToken",
            "responses": {
              "200": {
                "description": "Revoked",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/AccessToken"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/runtime-environments": {
          "get": {
            "operationId": "listRuntimeEnvironments",
            "responses": {
              "200": {
                "description": "The organization's environments",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/RuntimeEnvironment"
                      }
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "post": {
            "operationId": "createRuntimeEnvironment",
            "description": "Administrators: a Secure Agent group.",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/NewRuntimeEnvironment"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/RuntimeEnvironment"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/runtime-environments/{name}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Name"
            }
          ],
          "delete": {
            "operationId": "deleteRuntimeEnvironment",
            "responses": {
              "200": {
                "description": "Deleted",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/RuntimeEnvironment"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/connections": {
          "get": {
            "operationId": "listConnections",
            "parameters": [
              {
                "name": "limit",
                "in": "query",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 200
                }
              },
              {
                "name": "cursor",
                "in": "query",
                "schema": {
                  "type": "string"
                }
              },
              {
                "name": "nameContains",
                "in": "query",
                "schema": {
                  "type": "string"
                }
              },
              {
                "name": "authenticationType",
                "in": "query",
                "schema": {
                  "type": "string",
                  "enum": [
                    "api-key",
                    "oauth2"
                  ]
                }
              },
              {
                "name": "runtimeEnvironment",
                "in": "query",
                "schema": {
                  "type": "string"
                }
              }
            ],
            "responses": {
              "200": {
                "description": "A page, by name",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/ConnectionPage"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "post": {
            "operationId": "createConnection",
            "description": "Designers and administrators. Send an Idempotency-Key to make a retry safe.",
            "parameters": [
              {
                "name": "Idempotency-Key",
                "in": "header",
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 200
                }
              }
            ],
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/ConnectionInput"
                  }
                }
              }
            },
            "responses": {
              "201": {
                "description": "Created",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Connection"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              },
              "503": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/connections/{name}": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Name"
            }
          ],
          "get": {
            "operationId": "getConnection",
            "responses": {
              "200": {
                "description": "The connection, secrets never shown",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Connection"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "patch": {
            "operationId": "updateConnection",
            "requestBody": {
              "required": true,
              "content": {
                "application/json": {
                  "schema": {
                    "$ref": "#/components/schemas/ConnectionInput"
                  }
                }
              }
            },
            "responses": {
              "200": {
                "description": "Changed",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Connection"
                    }
                  }
                }
              },
              "400": {
                "$ref": "#/components/responses/Error"
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              },
              "503": {
                "$ref": "#/components/responses/Error"
              }
            }
          },
          "delete": {
            "operationId": "deleteConnection",
            "responses": {
              "200": {
                "description": "Deleted",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Connection"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        },
        "/api/v1/agents": {
          "get": {
            "operationId": "listAgents",
            "description": "The organization's Secure Agents and when each was last heard from.",
            "responses": {
              "200": {
                "description": "Agents",
                "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Agent" } } } }
              },
              "401": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/runtime-environments/{name}/agents": {
          "parameters": [ { "$ref": "#/components/parameters/Name" } ],
          "post": {
            "operationId": "createAgent",
            "description": "Administrators. Creates an agent of a Secure Agent group; its token is shown this once.",
            "requestBody": {
              "required": true,
              "content": { "application/json": { "schema": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" } } } } }
            },
            "responses": {
              "201": { "description": "The agent, with its token", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Agent" } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/runtime-environments/{name}/ping": {
          "parameters": [ { "$ref": "#/components/parameters/Name" } ],
          "post": {
            "operationId": "pingRuntimeEnvironment",
            "description": "Designers. Queues a no-op task that waits the given milliseconds: shows that the environment's workers take work. On a Secure Agent group the answer counts the group's available agents and, when there is none, says why and how to start one. An unknown name is answered 404 with the nearest names.",
            "parameters": [ { "name": "milliseconds", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": 600000 } } ],
            "responses": {
              "202": {
                "description": "Queued: follow the task",
                "headers": { "Location": { "schema": { "type": "string" } } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PendingTask" } } }
              },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/agent/heartbeat": {
          "post": {
            "operationId": "agentHeartbeat",
            "description": "Secure Agents: notes the agent alive for leaseSeconds (it sends the next heartbeat within them; default 20, bounded to 2 to 600) and ends a sign-off; answers its name and group.",
            "security": [{ "agentToken": [] }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["host", "version"], "properties": { "host": { "type": "string" }, "version": { "type": "string" }, "leaseSeconds": { "type": "number", "minimum": 2, "maximum": 600 } } } } } },
            "responses": {
              "200": { "description": "The agent as the service knows it", "content": { "application/json": { "schema": { "type": "object", "properties": { "agent": { "type": "string" }, "runtimeEnvironment": { "type": "string" } } } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/agent/stop": {
          "post": {
            "operationId": "agentStop",
            "description": "Secure Agents: signs the agent off on a clean stop, so that it counts as unavailable at once rather than when its lease runs out; its next heartbeat makes it available again.",
            "security": [{ "agentToken": [] }],
            "responses": {
              "204": { "description": "Signed off" },
              "401": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/agent/claim": {
          "post": {
            "operationId": "agentClaim",
            "description": "Secure Agents: leases the oldest task of the agent's group, with the connection's credentials when the service holds them, and only the entries of the operator's tenant host allow-list that admit the connection's Base URL host and port (connection.allowedHosts) and its secrets manager's address (connection.secretsManager.allowedHosts). Each claim gets its own lease token (leaseToken), which the agent sends back in the Lease-Token header of renew, logs and finish: the lease belongs to this claim, not to the agent, so after a lease ran out and the task was claimed again (by another agent or by another worker of this agent) the first claim can no longer write to it. The agent says it does so with sendsLeaseToken: true; an agent that does not (one that predates per-claim leases) gets no task and is answered 400 (agent_upgrade_required).",
            "security": [{ "agentToken": [] }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["sendsLeaseToken"], "properties": { "leaseSeconds": { "type": "number", "minimum": 2, "maximum": 300 }, "sendsLeaseToken": { "type": "boolean", "description": "Must be true: the agent sends each claim's leaseToken back in the Lease-Token header." } } } } } },
            "responses": {
              "200": { "description": "A task, leased to this claim", "content": { "application/json": { "schema": { "type": "object", "required": ["taskID", "kind", "payload", "leaseSeconds", "leaseToken"], "properties": { "leaseToken": { "type": "string", "description": "This claim's lease token: send it in the Lease-Token header of renew, logs and finish." } } } } } },
              "204": { "description": "No task waits" },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/agent/tasks/{id}/renew": {
          "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "Lease-Token", "in": "header", "required": true, "description": "The leaseToken of the claim's answer: names the claim, so that only the claim holding the lease writes. Without it (an agent that predates per-claim leases) the answer is 428 (agent_upgrade_required) and nothing is kept.", "schema": { "type": "string", "minLength": 1 } }
          ],
          "post": {
            "operationId": "agentRenewLease",
            "description": "Secure Agents: extends the lease of the claim named by Lease-Token. 404 (not_found) for a task not of the agent's group; 409 when that claim does not hold the lease (lease_lost: queued, or claimed again, by another agent or another worker of this agent, after this claim's lease ran out) or the task is over (task_finished): the agent stops working on it.",
            "security": [{ "agentToken": [] }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "properties": { "leaseSeconds": { "type": "number", "minimum": 2, "maximum": 300 } } } } } },
            "responses": {
              "204": { "description": "Renewed" },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" },
              "428": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/agent/tasks/{id}/finish": {
          "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "Lease-Token", "in": "header", "required": true, "description": "The leaseToken of the claim's answer: names the claim, so that only the claim holding the lease writes. Without it (an agent that predates per-claim leases) the answer is 428 (agent_upgrade_required) and nothing is kept.", "schema": { "type": "string", "minLength": 1 } }
          ],
          "post": {
            "operationId": "agentFinishTask",
            "description": "Secure Agents: records how a task ended, with its last log lines, only while the claim named by Lease-Token holds the lease of the running task (checked in the same statement that writes): 404 (not_found) for a task not of the agent's group, 409 when that claim does not hold the lease (lease_lost: another claim, even of this agent, took the task after this one's lease ran out) or the task is over (task_finished), and then nothing is kept. A result that does not decode to the task kind's result (a Test Connection report, a catalog, a read's, write's or reload's summary; for a failed data task {\"inputError\": bool}) fails the task with an error saying what was wrong and the shape expected, and is answered 422 (result_malformed) with that error.",
            "security": [{ "agentToken": [] }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["succeeded"], "properties": { "succeeded": { "type": "boolean" }, "result": { "type": "string", "description": "The task kind's result, as JSON text" }, "error": { "type": "string" }, "logs": { "type": "array", "items": { "$ref": "#/components/schemas/TaskLogLine" } } } } } } },
            "responses": {
              "204": { "description": "Recorded" },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" },
              "428": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/agent/tasks/{id}/logs": {
          "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "Lease-Token", "in": "header", "required": true, "description": "The leaseToken of the claim's answer: names the claim, so that only the claim holding the lease writes. Without it (an agent that predates per-claim leases) the answer is 428 (agent_upgrade_required) and nothing is kept.", "schema": { "type": "string", "minLength": 1 } }
          ],
          "post": {
            "operationId": "agentTaskLogs",
            "description": "Secure Agents: adds log lines to a task, only while the claim named by Lease-Token holds the lease of the running task (checked in the same statement that writes). 404 (not_found) for a task not of the agent's group; 409 when that claim does not hold the lease (lease_lost: another claim, even of this agent, took the task after this one's lease ran out) or the task is over (task_finished), and no line is kept: the agent stops working on the task.",
            "security": [{ "agentToken": [] }],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/TaskLogLine" } } } } },
            "responses": {
              "204": { "description": "Kept" },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" },
              "428": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/tasks": {
          "get": {
            "operationId": "listTasks",
            "description": "The organization's tasks, newest first.",
            "parameters": [
              { "name": "limit", "in": "query", "schema": { "type": "integer", "minimum": 1, "maximum": 500 } }
            ],
            "responses": {
              "200": {
                "description": "Tasks",
                "content": {
                  "application/json": {
                    "schema": {
                      "type": "object",
                      "required": ["items", "total"],
                      "properties": {
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/Task" } },
                        "total": { "type": "integer" },
                        "nextCursor": { "type": "string" }
                      }
                    }
                  }
                }
              },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/tasks/{id}": {
          "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }
          ],
          "get": {
            "operationId": "getTask",
            "responses": {
              "200": {
                "description": "The task",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Task" } } }
              },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/tasks/{id}/logs": {
          "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }
          ],
          "get": {
            "operationId": "getTaskLogs",
            "responses": {
              "200": {
                "description": "What the task logged, in order",
                "content": {
                  "application/json": {
                    "schema": { "type": "array", "items": { "$ref": "#/components/schemas/TaskLogLine" } }
                  }
                }
              },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/tasks/{id}/result": {
          "parameters": [
            { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }
          ],
          "get": {
            "operationId": "getTaskResult",
            "description": "What a finished task produced: a Test Connection report, a catalog (discover), a read's or write's summary, a reload; for a task stopped by an error, whether the error was in its input. 404 (no_result) for a task without one, or whose kept result does not decode to its kind's (the message says what was wrong).",
            "responses": {
              "200": { "description": "The result, as the task kept it", "content": { "application/json": { "schema": { "type": "object" } } } },
              "401": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/connections/{name}/tasks": {
          "parameters": [ { "$ref": "#/components/parameters/Name" } ],
          "post": {
            "operationId": "queueConnectionTask",
            "description": "Designers. Queues discover, read, write or reload on the connection's runtime environment. Paths of read and write are files on that environment, inside its files folder. Waits up to `wait` seconds for the task to finish; not at all when no agent of the connection's Secure Agent group is available (availableAgents 0, and a message saying how to start one).",
            "parameters": [ { "name": "wait", "in": "query", "schema": { "type": "integer", "minimum": 0, "maximum": 90 } } ],
            "requestBody": {
              "required": true,
              "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewTask" } } }
            },
            "responses": {
              "200": { "description": "Finished within wait: the task (its result at /tasks/{id}/result)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Task" } } } },
              "202": {
                "description": "Queued or running: follow the task",
                "headers": { "Location": { "schema": { "type": "string" } } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PendingTask" } } }
              },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" },
              "409": { "$ref": "#/components/responses/Error" },
              "413": { "$ref": "#/components/responses/Error" },
              "422": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/connections/{name}/test": {
          "parameters": [
            {
              "$ref": "#/components/parameters/Name"
            }
          ],
          "post": {
            "operationId": "testConnection",
            "description": "Runs Test Connection as a task on the connection's runtime environment and keeps its result. A task that failed without a report, or whose report does not decode (the agent's result for a Test Connection task did not decode: what was wrong, the shape expected), is answered 409 (task_failed) saying so. A task no worker finished in time is answered 202 with the task to follow; at once, with availableAgents 0 and a message saying how to start one, when no agent of the connection's Secure Agent group is available.",
            "responses": {
              "202": {
                "description": "Queued or running still: follow the task",
                "headers": { "Location": { "schema": { "type": "string" } } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PendingTask" } } }
              },
              "200": {
                "description": "The step-by-step report (passed or failed)",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/TestReport"
                    }
                  }
                }
              },
              "401": {
                "$ref": "#/components/responses/Error"
              },
              "403": {
                "$ref": "#/components/responses/Error"
              },
              "404": {
                "$ref": "#/components/responses/Error"
              },
              "409": {
                "$ref": "#/components/responses/Error"
              },
              "422": {
                "$ref": "#/components/responses/Error"
              },
              "503": {
                "$ref": "#/components/responses/Error"
              }
            }
          }
        }
      }
    }
    """#
}
