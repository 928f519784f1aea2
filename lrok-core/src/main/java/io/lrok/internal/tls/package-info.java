/**
 * TLS building blocks for the relay and the agent, JDK only: {@link io.lrok.internal.tls.Pem} reads certificate
 * chains and private keys (PKCS#8, PKCS#1 RSA, SEC1 EC) and writes PEM; {@link io.lrok.internal.tls.TlsContexts}
 * makes TLS 1.3 contexts and the socket parameters that enforce TLS 1.3 and hostname verification;
 * {@link io.lrok.internal.tls.CertificateAuthority} makes a throwaway CA and server certificates at runtime, for
 * development and tests. {@link io.lrok.internal.tls.Der} and {@link io.lrok.internal.tls.DerReader} are the small
 * DER codec underneath.
 */
package io.lrok.internal.tls;
