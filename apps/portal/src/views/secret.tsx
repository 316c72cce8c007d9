import { useState } from 'preact/hooks';

/** A secret on screen: masked until asked, copyable. */
export function SecretShown({ secret, note }: { secret: string; note?: string }) {
  const [visible, setVisible] = useState(false);
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret" role="group" aria-label="Signing secret">
      {note && <p class="notice notice-warn">{note}</p>}
      <div class="secret-row">
        <code data-testid="secret-value" class="secret-value">
          {visible ? secret : '•'.repeat(Math.min(32, secret.length))}
        </code>
        <button
          type="button"
          class="button-small"
          aria-pressed={visible}
          onClick={() => setVisible(!visible)}
        >
          {visible ? 'Hide' : 'Show'}
        </button>
        <button
          type="button"
          class="button-small"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}
