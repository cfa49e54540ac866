/** "Network" for the credential-use rules (issue 15): published IP ranges and where a call came from. */
export {
  type IpRanges,
  ipRanges,
  NO_RANGES,
  type RangeEntry,
  type RangeMatch,
  type RangeProvider,
} from './ip-ranges.js';
export {
  parseAwsIpRanges,
  parseAwsIpRangesDocument,
  parseGcpCloudRanges,
  parseGcpCloudRangesDocument,
  parseGithubMeta,
  parseGithubMetaDocument,
  RANGE_DOCUMENT_NAMES,
  RANGE_DOCUMENT_PARSERS,
  type RangeDocument,
  RangeDocumentError,
  type RangeDocumentKind,
} from './published-ranges.js';
export { SAME_BLOCK_BITS, type SourceNetwork, sameNetwork, sourceNetwork } from './source-network.js';
