// citation-js 0.7 ships no type definitions; this declares only the surface the service uses.
declare module 'citation-js' {
  type CitationJsFormatOptions = {
    format?: 'text' | 'html' | 'object' | 'string';
    template?: string;
    lang?: string;
  };

  class Cite {
    constructor(data: unknown, options?: { forceType?: string });
    data: Array<Record<string, unknown>>;
    format(format: string, options?: CitationJsFormatOptions): string;
    static parse: {
      /** The CSL-JSON cleaner of @citation-js/core: coerces or drops invalid fields. */
      csl(items: Array<Record<string, unknown>>): Array<Record<string, unknown>>;
      date(value: string): { 'date-parts'?: unknown[][]; raw?: string };
    };
  }

  export default Cite;
}
