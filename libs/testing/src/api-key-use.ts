import type { DataSource } from 'typeorm';

/** The `last_used_at` of the API key of tenant `tenantId` (its first, where it has several). */
export async function lastKeyUse(dataSource: DataSource, tenantId: string): Promise<Date | null> {
  const [row] = await dataSource.query('SELECT last_used_at FROM api_keys WHERE tenant_id = $1', [tenantId]);
  return row.last_used_at;
}
