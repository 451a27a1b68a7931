export declare const distDir: string;
export declare function buildConsole(options?: { outdir?: string; minify?: boolean }): Promise<{ bytes: number }>;
