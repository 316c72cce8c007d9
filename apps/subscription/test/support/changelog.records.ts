import {
  decodeEndpointChange,
  decodeDeliveryTask,
  type DeliveryTask,
  type EndpointSnapshot,
} from '@hookline/events';
import type { TappedRecord } from './topic-tap';

/** A changelog record decoded: the snapshot, or `deleted` for a tombstone. */
export type DecodedChange =
  | { readonly kind: 'upsert'; readonly endpoint: EndpointSnapshot }
  | { readonly kind: 'deleted'; readonly endpointId: string };

/** Decodes changelog records, failing the test on any record that does not decode. */
export function decodeChanges(records: readonly TappedRecord[]): DecodedChange[] {
  return records.map((record) => {
    const decoded = decodeEndpointChange(record.key ?? '', record.value);
    if (!decoded.ok) throw new Error(`undecodable changelog record at ${record.offset}: ${decoded.message}`);
    return decoded.change;
  });
}

/** Decodes delivery task records, failing the test on any record that does not decode. */
export function decodeTasks(
  records: readonly TappedRecord[],
): Array<{ key: string | null; task: DeliveryTask }> {
  return records.map((record) => {
    const decoded = decodeDeliveryTask(record.value ?? '');
    if (!decoded.ok) throw new Error(`undecodable delivery task at ${record.offset}: ${decoded.message}`);
    return { key: record.key, task: decoded.task };
  });
}
