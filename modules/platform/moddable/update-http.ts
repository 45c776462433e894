/*
 * The HTTP client the update client uses on the board and in mcsim. https
 * works only with a pinned CA built into the image as the resource
 * "ota-ca.der" (docs/update-client.md): with it, SecureSocket verifies the
 * server's chain against that one certificate; without it, https URLs fail
 * with a clear "tls" error and plain http still works (the simulator's
 * reference server, a server on the home network).
 */

import Resource from "Resource";
import SecureSocket from "securesocket";
import { ModdableHttpClient } from "platform/moddable/http-client";

export const OTA_CA_RESOURCE = "ota-ca.der";

export function updateServerClient(): ModdableHttpClient {
	if (!Resource.exists(OTA_CA_RESOURCE)) return new ModdableHttpClient();
	return new ModdableHttpClient({ tls: { Socket: SecureSocket, certificate: new Resource(OTA_CA_RESOURCE) } });
}
