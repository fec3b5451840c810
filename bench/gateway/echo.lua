-- (a) POST the same small JSON document every time.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"text":"hello kiln","number":42,"flag":true,"tags":["alpha","beta","gamma"]}'
