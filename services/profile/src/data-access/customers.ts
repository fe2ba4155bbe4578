import type { Queryable } from '@innover/kit';
import type { Customer, CustomerStatus, CustomerStore, NewCustomer } from '../domain/customer.ts';

interface CustomerRow {
  id: string;
  display_name: string;
  email: string;
  country: string;
  status: CustomerStatus;
  created_at: Date;
}

const columns = 'id, display_name, email, country, status, created_at';

function toCustomer(row: CustomerRow): Customer {
  return { id: row.id, displayName: row.display_name, email: row.email, country: row.country, status: row.status, createdAt: row.created_at.toISOString() };
}

/** The customers table (migrations/002_customers.sql). */
export function customerStore(database: Queryable): CustomerStore {
  return {
    async insert(customer: NewCustomer) {
      const [row] = await database.query<CustomerRow>(
        `INSERT INTO customers (id, display_name, email, email_key, country, status) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (email_key) DO NOTHING RETURNING ${columns}`,
        [customer.id, customer.displayName, customer.email, customer.emailKey, customer.country, customer.status],
      );
      return row ? toCustomer(row) : undefined;
    },
    async find(id) {
      const [row] = await database.query<CustomerRow>(`SELECT ${columns} FROM customers WHERE id = $1`, [id]);
      return row ? toCustomer(row) : undefined;
    },
    async findMany(ids) {
      const rows = await database.query<CustomerRow>(`SELECT ${columns} FROM customers WHERE id = ANY($1::UUID[])`, [ids]);
      return rows.map(toCustomer);
    },
    async updateStatus(id, status) {
      const [row] = await database.query<CustomerRow>(`UPDATE customers SET status = $2, updated_at = now() WHERE id = $1 RETURNING ${columns}`, [id, status]);
      return row ? toCustomer(row) : undefined;
    },
  };
}
