// After a verified refresh: ban every cached object of the table in Varnish (charts/maps-api/files/vcl/invalidation.vcl:
// `BAN` on any URL with `X-Ban-Table: project.dataset.table`, allowed from the purge ACL only).
import { formatRef, type TableRef } from './table-ref.js';

export interface BanResult {
  url: string;
  table: string;
  status?: number;
  ok: boolean;
  error?: string;
}

export async function banTable(banUrl: string, table: TableRef): Promise<BanResult> {
  const id = formatRef(table);
  try {
    const response = await fetch(banUrl, { method: 'BAN', headers: { 'X-Ban-Table': id } });
    await response.text();
    return { url: banUrl, table: id, status: response.status, ok: response.status === 200 };
  } catch (error) {
    return { url: banUrl, table: id, ok: false, error: (error as Error).message };
  }
}
