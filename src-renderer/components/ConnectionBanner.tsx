import { useEffect, useState } from 'react';
import { connection, type Connection } from '../api/transport';

/** Says at once when browser mode loses its server, and counts down to the next try. */
export function ConnectionBanner() {
  const [c, setC] = useState<Connection>(connection.get());
  const [, tick] = useState(0);
  useEffect(() => connection.subscribe(setC), []);
  useEffect(() => {
    if (c.state !== 'lost') return;
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, [c]);
  if (c.state === 'connected') return null;
  const seconds = Math.max(0, Math.ceil((c.retryAt - Date.now()) / 1000));
  return (
    <div className="connection-banner" role="alert" data-testid="connection-banner">
      Lost the connection to the Shiwake server: nothing you do now is saved. Reconnecting{seconds > 0 ? ` in ${seconds} s` : '…'} (if you restarted{' '}
      <code>shiwake serve</code>, open the new URL it printed).
    </div>
  );
}
