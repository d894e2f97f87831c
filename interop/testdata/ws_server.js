// A node-ws server for the interop tests.
//
// Usage: node ws_server.js MODE
// Listens on 127.0.0.1 with a free port, prints "READY <port>", and exits
// when stdin closes. MODE is one of:
//
//   echo        echoes every text and binary message
//   ping        echoes, and on each connection sends a Ping with the
//               payload "are-you-there"; the payload of the Pong it gets
//               back is sent to the client as the text "pong:<payload>"
//   maxpayload  echoes, with maxPayload 1024: a longer message makes ws
//               close the connection with 1009
//   deflate     echoes, with permessage-deflate: the client's window limited
//               to 10 bits (clientMaxWindowBits), no server context
//               takeover, every message compressed (threshold 0)
//   deflate-takeover
//               the same with server context takeover (unless the client
//               offers server_no_context_takeover)
//
// When a connection has ended it prints "CLOSED <code> <reason>".
'use strict';

// Debian's node-ws lives in /usr/share/nodejs, which Debian's nodejs
// searches by default; other builds of node do not.
module.paths.push('/usr/share/nodejs');
const WebSocket = require('ws');

const mode = process.argv[2] || 'echo';
const options = { host: '127.0.0.1', port: 0 };
if (mode === 'maxpayload') {
  options.maxPayload = 1024;
}
if (mode === 'deflate') {
  options.perMessageDeflate = { clientMaxWindowBits: 10, serverNoContextTakeover: true, threshold: 0 };
}
if (mode === 'deflate-takeover') {
  options.perMessageDeflate = { clientMaxWindowBits: 10, threshold: 0 };
}
const server = new WebSocket.Server(options);
server.on('listening', () => console.log('READY ' + server.address().port));
server.on('connection', (ws) => {
  ws.on('error', (err) => console.log('ERROR ' + err.message));
  ws.on('close', (code, reason) => console.log('CLOSED ' + code + ' ' + reason.toString()));
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  if (mode === 'ping') {
    ws.on('pong', (data) => ws.send('pong:' + data.toString()));
    ws.ping('are-you-there');
  }
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
