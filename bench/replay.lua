-- wrk script: replay pre-signed webhook requests from a file, in order, wrapping around.
-- The file holds one request a line: path, TAB, the headers as JSON, TAB, the body (no newlines).
local requests = {}
local position = 0

function init(args)
  local file = io.open(os.getenv("REPLAY_FILE"), "r")
  for line in file:lines() do
    local path, headers, body = line:match("^(.-)\t(.-)\t(.*)$")
    local parsed = {}
    for name, value in headers:gmatch('"([^"]+)":%s*"([^"]*)"') do parsed[name] = value end
    requests[#requests + 1] = wrk.format("POST", path, parsed, body)
  end
  file:close()
end

function request()
  position = position % #requests + 1
  return requests[position]
end
