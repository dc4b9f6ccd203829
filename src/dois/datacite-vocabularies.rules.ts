// DataCite controlled vocabularies, exact case. The 4.6 lists are copied from the enumerations in the kernel-4.6
// XSD include files (reference/datacite-schema-4.6/include/datacite-*-v4.xsd); 4.5 and 4.7 are derived from them
// with the deltas listed in datacite.md §14. A value is valid only in the schema version that has it.

export type DataCiteSchemaVersion = '4.5' | '4.6' | '4.7';

// include/datacite-relationType-v4.xsd
const RELATION_TYPES_4_6 = [
  'IsCitedBy',
  'Cites',
  'IsSupplementTo',
  'IsSupplementedBy',
  'IsContinuedBy',
  'Continues',
  'IsNewVersionOf',
  'IsPreviousVersionOf',
  'IsPartOf',
  'HasPart',
  'IsPublishedIn',
  'IsReferencedBy',
  'References',
  'IsDocumentedBy',
  'Documents',
  'IsCompiledBy',
  'Compiles',
  'IsVariantFormOf',
  'IsOriginalFormOf',
  'IsIdenticalTo',
  'HasMetadata',
  'IsMetadataFor',
  'Reviews',
  'IsReviewedBy',
  'IsDerivedFrom',
  'IsSourceOf',
  'Describes',
  'IsDescribedBy',
  'HasVersion',
  'IsVersionOf',
  'Requires',
  'IsRequiredBy',
  'Obsoletes',
  'IsObsoletedBy',
  'Collects',
  'IsCollectedBy',
  'HasTranslation',
  'IsTranslationOf',
] as const;

// include/datacite-resourceType-v4.xsd
const RESOURCE_TYPES_GENERAL_4_6 = [
  'Audiovisual',
  'Award',
  'Book',
  'BookChapter',
  'Collection',
  'ComputationalNotebook',
  'ConferencePaper',
  'ConferenceProceeding',
  'DataPaper',
  'Dataset',
  'Dissertation',
  'Event',
  'Image',
  'Instrument',
  'InteractiveResource',
  'Journal',
  'JournalArticle',
  'Model',
  'OutputManagementPlan',
  'PeerReview',
  'PhysicalObject',
  'Preprint',
  'Project',
  'Report',
  'Service',
  'Software',
  'Sound',
  'Standard',
  'StudyRegistration',
  'Text',
  'Workflow',
  'Other',
] as const;

// include/datacite-relatedIdentifierType-v4.xsd
const RELATED_IDENTIFIER_TYPES_4_6 = [
  'ARK',
  'arXiv',
  'bibcode',
  'CSTR',
  'DOI',
  'EAN13',
  'EISSN',
  'Handle',
  'IGSN',
  'ISBN',
  'ISSN',
  'ISTC',
  'LISSN',
  'LSID',
  'PMID',
  'PURL',
  'RRID',
  'UPC',
  'URL',
  'URN',
  'w3id',
] as const;

// include/datacite-dateType-v4.xsd
const DATE_TYPES_4_6 = [
  'Accepted',
  'Available',
  'Collected',
  'Copyrighted',
  'Coverage',
  'Created',
  'Issued',
  'Other',
  'Submitted',
  'Updated',
  'Valid',
  'Withdrawn',
] as const;

// include/datacite-contributorType-v4.xsd
const CONTRIBUTOR_TYPES_4_6 = [
  'ContactPerson',
  'DataCollector',
  'DataCurator',
  'DataManager',
  'Distributor',
  'Editor',
  'HostingInstitution',
  'Other',
  'Producer',
  'ProjectLeader',
  'ProjectManager',
  'ProjectMember',
  'RegistrationAgency',
  'RegistrationAuthority',
  'RelatedPerson',
  'ResearchGroup',
  'RightsHolder',
  'Researcher',
  'Sponsor',
  'Supervisor',
  'Translator',
  'WorkPackageLeader',
] as const;

// include/datacite-descriptionType-v4.xsd (unchanged 4.5–4.7)
export const DESCRIPTION_TYPES = [
  'Abstract',
  'Methods',
  'SeriesInformation',
  'TableOfContents',
  'TechnicalInfo',
  'Other',
] as const;
// include/datacite-funderIdentifierType-v4.xsd (unchanged 4.5–4.7; note the spaces in 'Crossref Funder ID')
export const FUNDER_IDENTIFIER_TYPES = ['ISNI', 'GRID', 'ROR', 'Crossref Funder ID', 'Other'] as const;
// include/datacite-nameType-v4.xsd
export const NAME_TYPES = ['Organizational', 'Personal'] as const;
// include/datacite-titleType-v4.xsd
export const TITLE_TYPES = ['AlternativeTitle', 'Subtitle', 'TranslatedTitle', 'Other'] as const;
// include/datacite-numberType-v4.xsd
export const NUMBER_TYPES = ['Article', 'Chapter', 'Report', 'Other'] as const;

export type RelationType = (typeof RELATION_TYPES_4_6)[number] | 'Other';
export type ResourceTypeGeneral = (typeof RESOURCE_TYPES_GENERAL_4_6)[number] | 'Poster' | 'Presentation';
export type RelatedIdentifierType = (typeof RELATED_IDENTIFIER_TYPES_4_6)[number] | 'RAiD' | 'SWHID';
export type DateType = (typeof DATE_TYPES_4_6)[number];
export type ContributorType = (typeof CONTRIBUTOR_TYPES_4_6)[number];
export type DescriptionType = (typeof DESCRIPTION_TYPES)[number];
export type FunderIdentifierType = (typeof FUNDER_IDENTIFIER_TYPES)[number];
export type NameType = (typeof NAME_TYPES)[number];
export type TitleType = (typeof TITLE_TYPES)[number];

export interface DataCiteVocabularies {
  relationType: readonly string[];
  resourceTypeGeneral: readonly string[];
  relatedIdentifierType: readonly string[];
  dateType: readonly string[];
  contributorType: readonly string[];
  descriptionType: readonly string[];
  funderIdentifierType: readonly string[];
  nameType: readonly string[];
  titleType: readonly string[];
  numberType: readonly string[];
}

const without = (list: readonly string[], removed: readonly string[]): string[] =>
  list.filter((v) => !removed.includes(v));

const VOCABULARIES: Record<DataCiteSchemaVersion, DataCiteVocabularies> = {
  '4.6': {
    relationType: RELATION_TYPES_4_6,
    resourceTypeGeneral: RESOURCE_TYPES_GENERAL_4_6,
    relatedIdentifierType: RELATED_IDENTIFIER_TYPES_4_6,
    dateType: DATE_TYPES_4_6,
    contributorType: CONTRIBUTOR_TYPES_4_6,
    descriptionType: DESCRIPTION_TYPES,
    funderIdentifierType: FUNDER_IDENTIFIER_TYPES,
    nameType: NAME_TYPES,
    titleType: TITLE_TYPES,
    numberType: NUMBER_TYPES,
  },
  // datacite.md §14: 4.6 added HasTranslation/IsTranslationOf, Award/Project, CSTR/RRID, Coverage, Translator.
  '4.5': {
    relationType: without(RELATION_TYPES_4_6, ['HasTranslation', 'IsTranslationOf']),
    resourceTypeGeneral: without(RESOURCE_TYPES_GENERAL_4_6, ['Award', 'Project']),
    relatedIdentifierType: without(RELATED_IDENTIFIER_TYPES_4_6, ['CSTR', 'RRID']),
    dateType: without(DATE_TYPES_4_6, ['Coverage']),
    contributorType: without(CONTRIBUTOR_TYPES_4_6, ['Translator']),
    descriptionType: DESCRIPTION_TYPES,
    funderIdentifierType: FUNDER_IDENTIFIER_TYPES,
    nameType: NAME_TYPES,
    titleType: TITLE_TYPES,
    numberType: NUMBER_TYPES,
  },
  // datacite.md §14: 4.7 adds relationType Other, Poster/Presentation, RAiD/SWHID.
  '4.7': {
    relationType: [...RELATION_TYPES_4_6, 'Other'],
    resourceTypeGeneral: [...RESOURCE_TYPES_GENERAL_4_6, 'Poster', 'Presentation'],
    relatedIdentifierType: [...RELATED_IDENTIFIER_TYPES_4_6, 'RAiD', 'SWHID'],
    dateType: DATE_TYPES_4_6,
    contributorType: CONTRIBUTOR_TYPES_4_6,
    descriptionType: DESCRIPTION_TYPES,
    funderIdentifierType: FUNDER_IDENTIFIER_TYPES,
    nameType: NAME_TYPES,
    titleType: TITLE_TYPES,
    numberType: NUMBER_TYPES,
  },
};

export function getDataCiteVocabularies(version: DataCiteSchemaVersion): DataCiteVocabularies {
  return VOCABULARIES[version];
}
