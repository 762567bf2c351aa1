// Post-quantum connection security: the handshake, the record layer and the libp2p encrypter.
export { PQ_PROTOCOL, MAX_HANDSHAKE_MESSAGE_BYTES, MAX_RECORD_PLAINTEXT_BYTES } from './constants.ts';
export { PqHandshakeError, type PqFailure } from './errors.ts';
export { InitiatorHandshake, ResponderHandshake, type HandshakeIdentity, type HandshakeOptions, type HandshakeResult, type RemoteIdentity } from './handshake.ts';
export { RecordCipher } from './record-cipher.ts';
export { pqEncrypter, PqEncrypter, type PqEncrypterComponents, type PqEncrypterInit, type PqExtensions } from './pq-encrypter.ts';
