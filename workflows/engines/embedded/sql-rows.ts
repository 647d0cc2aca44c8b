// Raw `execute` results differ by driver; the helper lives with the database layer.
export { rowsOf } from '@/db/sql-text';
