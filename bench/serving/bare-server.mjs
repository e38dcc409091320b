// The bare node:http floor of the serving benchmark: a node:http server that reads each request's
// body whole and answers every request with the same JSON (the reply our server gives to
// bench/serving/body.json, read from REPLY), no parsing, no model. What node:http itself costs.
//
//   PORT=8080 REPLY=answer.json node bench/serving/bare-server.mjs
import fs from 'node:fs';
import http from 'node:http';

const reply = fs.readFileSync(process.env.REPLY);
const headers = { 'content-type': 'application/json', 'content-length': reply.length };
http
  .createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(reply);
    });
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
