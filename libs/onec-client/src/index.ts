// Public surface of @esb/onec-client: the OData client for one 1C database, the $filter builder and literals,
// per-release profiles with $metadata validation, and the error type the bus classifies.
export { OneCClient, type OneCClientOptions, type ListOptions } from './client.ts';
export { OneCError, classifyOneC, parseErrorBody, type OneCErrorInit } from './errors.ts';
export { Filter, eq, ne, gt, ge, lt, le, and, or, not, substringof, anyOf } from './filter.ts';
export { Literal, EMPTY_DATE, EMPTY_REF, guid, datetime, str, num, bool, cast, literal, formatDateTime, isGuid, keyText, resourcePath, type Key, type Value } from './literals.ts';
export { PROFILES, getProfile, entitySet, fieldOf, validateAgainstMetadata, type Profile, type ProfileId, type FieldRef, type ValidationReport, type MissingItem } from './profile.ts';
export { parseMetadata, propertiesOf, type ODataSchema } from './metadata.ts';
export { decodeEntity, encodeBody, type OneCEntity, type OneCValue, type OneCInput, type Int64Mode } from './codec.ts';
