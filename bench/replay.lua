-- wrk script: replay pre-signed webhook requests from a file, each once per thread's share.
-- The file holds one request a line: path, TAB, the headers as JSON, TAB, the body (no newlines).
local requests = {}
local position = 0
local threads = 0

function setup(thread)
  thread:set("number", threads)
  threads = threads + 1
end

function init(args)
  local file = io.open(os.getenv("REPLAY_FILE"), "r")
  local line_number = 0
  for line in file:lines() do
    if line_number % tonumber(os.getenv("REPLAY_THREADS")) == number then
      local path, headers, body = line:match("^(.-)\t(.-)\t(.*)$")
      local parsed = {}
      for name, value in headers:gmatch('"([^"]+)":%s*"([^"]*)"') do parsed[name] = value end
      requests[#requests + 1] = wrk.format("POST", path, parsed, body)
    end
    line_number = line_number + 1
  end
  file:close()
end

function request()
  position = position % #requests + 1
  return requests[position]
end
