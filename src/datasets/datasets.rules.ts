/** Pure checks for dataset metadata: accessions, ontology CURIEs, SPDX licences (provenance.md §7). */

export type AccessionScheme = 'idr' | 'bioimage-archive' | 'empiar' | 'bbbc';

export interface Accession {
  scheme: AccessionScheme;
  value: string;
  landingPage: string;
  /** The DOI the archive assigns when it is derivable from the accession (BioImage Archive, EMPIAR). */
  doi: string | null;
}

export function parseAccession(input: string): Accession | null {
  const value = input.trim();
  let m: RegExpExecArray | null;
  if ((m = /^idr(\d{4})$/i.exec(value))) {
    // IDR DOIs (10.17867/…) are not derivable from the idr number: store them as identifiers when known.
    return {
      scheme: 'idr',
      value: `idr${m[1]}`,
      landingPage: `https://idr.openmicroscopy.org/search/?query=Name:idr${m[1]}`,
      doi: null,
    };
  }
  if ((m = /^S-(BIAD|BSST)(\d+)$/i.exec(value))) {
    const acc = `S-${m[1].toUpperCase()}${m[2]}`;
    return {
      scheme: 'bioimage-archive',
      value: acc,
      landingPage: `https://www.ebi.ac.uk/biostudies/bioimages/studies/${acc}`,
      doi: `10.6019/${acc}`,
    };
  }
  if ((m = /^EMPIAR-(\d{5,})$/i.exec(value))) {
    if (Number(m[1]) < 10000) return null;
    const acc = `EMPIAR-${m[1]}`;
    return { scheme: 'empiar', value: acc, landingPage: `https://www.ebi.ac.uk/empiar/${acc}/`, doi: `10.6019/${acc}` };
  }
  if ((m = /^BBBC(\d{3})$/i.exec(value))) {
    const acc = `BBBC${m[1]}`;
    return { scheme: 'bbbc', value: acc, landingPage: `https://bbbc.broadinstitute.org/${acc}`, doi: null };
  }
  return null;
}

const OBO_PREFIXES = new Set(['CL', 'FBbi', 'OBI', 'NCBITaxon', 'GO', 'CHEBI', 'UBERON', 'EFO', 'PATO', 'SO', 'PR']);
const OTHER_PREFIXES: Record<string, string> = {
  CMPO: 'http://www.ebi.ac.uk/cmpo/CMPO_',
  EDAM: 'http://edamontology.org/',
  edam: 'http://edamontology.org/',
};

/** Expands an ontology CURIE from a fixed prefix table, or accepts an http(s) IRI; null for anything else. */
export function expandOntologyTerm(input: string): string | null {
  const value = input.trim();
  if (/^https?:\/\/\S+$/.test(value)) {
    try {
      new URL(value);
      return value;
    } catch {
      return null;
    }
  }
  const m = /^([A-Za-z][A-Za-z0-9]*):([A-Za-z0-9_.-]+)$/.exec(value);
  if (!m) return null;
  const [, prefix, local] = m;
  if (OBO_PREFIXES.has(prefix)) return `http://purl.obolibrary.org/obo/${prefix}_${local}`;
  if (prefix in OTHER_PREFIXES)
    return `${OTHER_PREFIXES[prefix]}${prefix.toUpperCase() === 'CMPO' ? local.replace(/^CMPO_/, '') : local}`;
  return null;
}

/** SPDX identifiers this service accepts for data; anything else must be given as `LicenseRef-…`. */
const SPDX_LICENSES = new Set([
  'CC0-1.0',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'CC-BY-NC-4.0',
  'CC-BY-NC-SA-4.0',
  'CC-BY-ND-4.0',
  'CC-BY-NC-ND-4.0',
  'CC-BY-3.0',
  'CC-PDDC',
  'ODbL-1.0',
  'ODC-By-1.0',
  'PDDL-1.0',
  'MIT',
  'Apache-2.0',
  'BSD-3-Clause',
]);

export function isKnownSpdxLicense(id: string): boolean {
  return SPDX_LICENSES.has(id) || /^LicenseRef-[A-Za-z0-9.-]+$/.test(id);
}

export function spdxLicenseUrl(id: string): string | null {
  return SPDX_LICENSES.has(id) ? `https://spdx.org/licenses/${id}.html` : null;
}

const OPEN_LICENSES = new Set(['cc0-1.0', 'pddl-1.0', 'odc-by-1.0', 'odbl-1.0']);

/**
 * Open by credit-and-compliance.md §7: CC0-1.0, CC-BY-*, CC-BY-SA-* (ported versions too), PDDL-1.0,
 * ODC-By-1.0, ODbL-1.0. NC and ND variants are not open.
 */
export function isOpenLicense(spdx: string): boolean {
  const id = spdx.trim().toLowerCase();
  return OPEN_LICENSES.has(id) || /^cc-by(?:-sa)?-\d\.\d(?:-[a-z]{2,3}|-igo)?$/.test(id);
}
