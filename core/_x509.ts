/**
 * @peculiar/x509, loaded with the Reflect metadata polyfill its dependency injection needs (the
 * polyfill must be evaluated first). Loaded lazily by `certs.ts`, so that only runs with TLS pay
 * for it.
 *
 * @module
 */
import "reflect-metadata";
export * as x509 from "@peculiar/x509";
