/** Child of reader-memory.ts: opens N subscribed Socket.IO readers, reports, then idles until killed. */
import { io } from 'socket.io-client';

const [base = '', blogId = '', n = '0'] = process.argv.slice(2);
const count = Number(n);
let ready = 0;
for (let i = 0; i < count; i++) {
  const s = io(base, { transports: ['websocket'], forceNew: true, reconnection: false });
  s.once('connect', () =>
    s.emit('subscribe', { blogId }, () => {
      ready += 1;
      if (ready === count) process.send?.('ready');
    }),
  );
  s.once('connect_error', (err) => {
    console.error(err.message);
    process.exit(1);
  });
  // Paced so the connection-rate limit and the loopback backlog are not what is measured.
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
}
setInterval(() => {}, 60_000);
