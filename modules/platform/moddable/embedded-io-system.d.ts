/* The SDK's embedded:io/system (modules/io/system), declared as the SDK's own typings do. */
declare module "embedded:io/system" {
	export default class System {
		static restart(): void;
	}
}
