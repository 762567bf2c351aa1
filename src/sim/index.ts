export * from './insecure-signatures.ts';
