// The TypeScript MCP SDK's client, driven line by line: it launches the server given on its command
// line over stdio, lists the tools, then for each JSON line on stdin ({"tool", "arguments"}) calls
// that tool and writes one JSON line: the result, or the client's own error (the SDK checks every
// structuredContent against the tool's outputSchema and throws when it does not fit).
// MCP_SDK_DIR names the installed @modelcontextprotocol/sdk (ES modules do not search NODE_PATH).
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const sdk = (path) => import(pathToFileURL(`${process.env.MCP_SDK_DIR}/dist/esm/${path}`).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");

const [command, ...args] = process.argv.slice(2);
const transport = new StdioClientTransport({ command, args, env: process.env, stderr: "ignore" });
const client = new Client({ name: "ts-sdk-test", version: "1.0.0" });
await client.connect(transport);
const { tools } = await client.listTools();
process.stdout.write(JSON.stringify({ tools: tools.map((tool) => tool.name) }) + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { tool, arguments: toolArguments } = JSON.parse(line);
  try {
    const result = await client.callTool({ name: tool, arguments: toolArguments });
    process.stdout.write(JSON.stringify({ tool, result }) + "\n");
  } catch (error) {
    process.stdout.write(JSON.stringify({ tool, client_error: String(error) }) + "\n");
  }
}
await client.close();
