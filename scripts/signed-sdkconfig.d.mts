export function signedSdkconfig(root: string, key: string): string;
