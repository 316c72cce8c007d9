import type { EventDto, ExpungedEventDto } from './event.dto';
import type { ExpungedEvent, StoredEvent } from './events.service';

/** The envelope as delivered; an expunged one says when. */
export function presentEvent(event: StoredEvent): EventDto {
  const envelope = event.payload as unknown as EventDto;
  return event.expungedAt ? { ...envelope, expunged_at: event.expungedAt.toISOString() } : envelope;
}

/** The answer to an expunge, operator's or tenant's. */
export function presentExpunged(expunged: ExpungedEvent): ExpungedEventDto {
  return {
    id: expunged.id,
    object: 'event',
    expunged_at: expunged.expungedAt.toISOString(),
    deliveries_stopped: expunged.deliveriesStopped,
  };
}
