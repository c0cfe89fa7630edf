/** The PostgreSQL the benchmarks use unless `--postgres-url` says otherwise: the development machine's. */
export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test'
