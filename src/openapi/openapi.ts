import type {
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
  SecurityRequirement,
} from './types';

/*
 * The whole public API (the contract in docs/API.md) as one hand-written OpenAPI 3.1 document.
 * Request bodies refuse unknown fields (additionalProperties: false), like the routes' strict schemas;
 * response objects stay open so that adding a field to an answer does not break clients.
 */

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
const responseRef = (code: string): ReferenceObject => ({ $ref: `#/components/responses/${code}` });
const parameterRef = (name: string): ReferenceObject => ({ $ref: `#/components/parameters/${name}` });

const OBJECT_ID: SchemaObject = { type: 'string', pattern: '^[a-fA-F0-9]{24}$', description: 'A 24-character hex id.' };
const DATE_TIME: SchemaObject = { type: 'string', format: 'date-time' };
const NULLABLE_DATE_TIME: SchemaObject = { type: ['string', 'null'], format: 'date-time' };

function strictObject(properties: Record<string, SchemaObject>, required: string[] = []): SchemaObject {
  return { type: 'object', properties, required, additionalProperties: false };
}

function jsonBody(schema: SchemaObject, required = true): RequestBodyObject {
  return { required, content: { 'application/json': { schema } } };
}

function json(description: string, schema: SchemaObject): ResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

const problemSchema: SchemaObject = {
  type: 'object',
  description: 'An RFC 9457 problem.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        required: ['path', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
};

const PROBLEM_DESCRIPTIONS: Record<string, string> = {
  '400': 'The request is malformed or a field is invalid (see `errors`).',
  '401': 'Sign-in is needed, or the session token is not valid.',
  '403': 'Signed in, but not allowed to do this.',
  '404': 'No such resource (or not visible to this caller).',
  '409': 'Conflicts with the current state (for example the same text posted twice within a minute).',
  '410': 'The resource or one-time link is no longer available.',
  '413': 'The request body is too large.',
  '415': 'The request body is not application/json.',
  '422': 'Well-formed, but refused by a rule.',
  '429': 'Too many requests; wait for Retry-After seconds.',
  '431': 'The request line and headers are larger than the server reads (16 KB); answered by the HTTP server itself, with no body.',
  '502': 'An upstream sign-in provider failed.',
  '503': 'The database (or a configured provider) is unavailable; retry shortly.',
};

function problemResponse(code: string): ResponseObject {
  if (code === '431') return { description: PROBLEM_DESCRIPTIONS[code] };
  const response: ResponseObject = {
    description: PROBLEM_DESCRIPTIONS[code],
    content: { 'application/problem+json': { schema: ref('Problem') } },
  };
  if (code === '429' || code === '503') response.headers = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };
  return response;
}

/**
 * Codes that any /api/v1 call may answer, whatever the operation: a bearer header is checked on every
 * call, so a revoked or malformed one is a 401 even where signing in is not needed.
 */
const COMMON_API_PROBLEMS = ['400', '401', '404', '413', '415', '429', '431', '503'];

function operation(
  spec: Omit<OperationObject, 'responses'> & {
    responses: Record<string, ResponseObject | ReferenceObject>;
    problems?: string[];
    signedIn?: 'required' | 'optional' | 'none';
  },
): OperationObject {
  const { problems = [], signedIn = 'none', ...rest } = spec;
  const responses: Record<string, ResponseObject | ReferenceObject> = { ...rest.responses };
  const codes = new Set([...COMMON_API_PROBLEMS, ...problems]);
  // Any bearer header is checked, so a bad one is a 401 even where signing in is optional.
  if (signedIn !== 'none') codes.add('401');
  for (const code of [...codes].sort()) responses[code] ??= responseRef(code);
  const bearer: SecurityRequirement = { bearerAuth: [] };
  const anonymous: SecurityRequirement = {};
  const security = signedIn === 'required' ? [bearer] : signedIn === 'optional' ? [anonymous, bearer] : undefined;
  return { ...rest, responses, ...(security ? { security } : {}) };
}

const settingsProperties: Record<string, SchemaObject> = {
  premoderation: { type: 'string', enum: ['none', 'first-comment', 'all'] },
  bannedWords: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 500 },
  suspectWords: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 500 },
  allowedPhrases: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 500 },
  maxLinks: { type: 'integer', minimum: 0, maximum: 50 },
  editWindowSeconds: { type: 'integer', minimum: 0, maximum: 86400 },
  maxDepth: { type: 'integer', minimum: 1, maximum: 20 },
  flagThreshold: { type: 'integer', minimum: 1, maximum: 1000 },
  allowGuests: { type: 'boolean' },
  requireVerifiedEmail: { type: 'boolean', description: 'Posting needs a confirmed email address; guests cannot post.' },
};

const WEBHOOK_EVENT_NAMES = ['comment.created', 'comment.approved', 'comment.rejected', 'comment.flagged', 'comment.deleted', 'user.banned'];

const schemas: Record<string, SchemaObject> = {
  Problem: problemSchema,
  Webhook: {
    type: 'object',
    properties: {
      id: OBJECT_ID,
      siteId: OBJECT_ID,
      url: { type: 'string' },
      events: { type: 'array', items: { type: 'string', enum: WEBHOOK_EVENT_NAMES } },
      createdAt: DATE_TIME,
    },
    required: ['id', 'siteId', 'url', 'events', 'createdAt'],
  },
  WebhookDelivery: {
    type: 'object',
    description: 'One event for one webhook; `id` is the `webhook-id` header of its attempts.',
    properties: {
      id: { type: 'string' },
      event: { type: 'string', enum: WEBHOOK_EVENT_NAMES },
      status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      attempts: { type: 'integer', minimum: 0 },
      nextAttemptAt: NULLABLE_DATE_TIME,
      lastAttemptAt: NULLABLE_DATE_TIME,
      lastResponse: {
        type: ['object', 'null'],
        properties: { status: { type: ['integer', 'null'] }, body: { type: 'string' }, error: { type: ['string', 'null'] } },
      },
      createdAt: DATE_TIME,
    },
    required: ['id', 'event', 'status', 'attempts', 'createdAt'],
  },
  SiteSettings: {
    type: 'object',
    properties: settingsProperties,
    required: Object.keys(settingsProperties),
  },
  SiteSettingsPatch: strictObject(settingsProperties),
  Site: {
    type: 'object',
    properties: {
      id: OBJECT_ID,
      name: { type: 'string' },
      origins: { type: 'array', items: { type: 'string' } },
      settings: ref('SiteSettings'),
    },
    required: ['id', 'name', 'origins', 'settings'],
  },
  User: {
    type: 'object',
    properties: {
      id: OBJECT_ID,
      displayName: { type: 'string' },
      email: { type: 'string', description: 'Only to the user and to admins.' },
      role: { type: 'string', enum: ['commenter', 'moderator', 'admin'] },
      emailVerified: { type: 'boolean' },
      banned: { type: 'boolean' },
    },
    required: ['id', 'displayName', 'role', 'emailVerified', 'banned'],
  },
  Session: {
    type: 'object',
    properties: { token: { type: 'string' }, user: ref('User') },
    required: ['token', 'user'],
  },
  Author: {
    type: 'object',
    properties: {
      id: { type: ['string', 'null'], description: 'Null for guests.' },
      displayName: { type: 'string' },
      guest: { type: 'boolean', description: 'True for a name typed into the guest form (no account).' },
      website: { type: 'string', description: "A guest's website, shown as the name's link (rel=\"nofollow ugc\")." },
    },
    required: ['id', 'displayName', 'guest'],
  },
  Comment: {
    type: 'object',
    properties: {
      id: OBJECT_ID,
      siteId: OBJECT_ID,
      articleId: { type: 'string' },
      parentId: { type: ['string', 'null'] },
      depth: { type: 'integer', minimum: 0 },
      author: ref('Author'),
      body: { type: 'string', description: 'The raw text; empty for a deleted comment.' },
      html: { type: 'string', description: 'Rendered and sanitized; safe to insert into a page.' },
      status: { type: 'string', enum: ['approved', 'pending', 'rejected', 'deleted'] },
      score: { type: 'integer' },
      createdAt: DATE_TIME,
      editedAt: NULLABLE_DATE_TIME,
      featured: { type: 'boolean', description: "An editors' pick: the widget shows these first, under their own tab." },
      replies: { type: 'array', items: ref('Comment') },
      viewerVote: { type: 'integer', enum: [-1, 1], description: "In thread pages for a signed-in viewer: their own vote, on comments they voted on." },
    },
    required: ['id', 'siteId', 'articleId', 'parentId', 'depth', 'author', 'body', 'html', 'status', 'score', 'createdAt', 'editedAt', 'replies'],
  },
  CommentPage: {
    type: 'object',
    properties: {
      comments: { type: 'array', items: ref('Comment') },
      nextCursor: { type: ['string', 'null'] },
      total: { type: 'integer', minimum: 0 },
      editWindowSeconds: { type: 'integer', minimum: 0, description: "The site's edit window, for the widget." },
      allowGuests: { type: 'boolean', description: 'Whether a signed-out reader may post as a guest here (allowGuests, and no confirmed email required), for the widget.' },
      staff: { type: 'array', items: OBJECT_ID, description: "The site's moderators and admins among the page's authors, for a badge; absent when there are none." },
    },
    required: ['comments', 'nextCursor', 'total', 'editWindowSeconds', 'allowGuests'],
  },
  Reason: {
    type: 'object',
    properties: {
      code: {
        type: 'string',
        enum: ['profanity', 'banned-word', 'suspect-word', 'too-many-links', 'first-comment', 'premoderation', 'flagged', 'guest'],
      },
      detail: { type: 'string' },
      matches: {
        type: 'array',
        description: 'Word reasons only: UTF-16 offsets of each matched word in the body, end exclusive.',
        items: {
          type: 'object',
          properties: { start: { type: 'integer', minimum: 0 }, end: { type: 'integer', minimum: 0 } },
          required: ['start', 'end'],
        },
      },
    },
    required: ['code'],
  },
  Flag: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      commentId: OBJECT_ID,
      reason: { type: 'string', enum: ['spam', 'abuse', 'off-topic', 'other'] },
      note: { type: ['string', 'null'] },
      createdAt: DATE_TIME,
    },
    required: ['id', 'commentId', 'reason', 'note', 'createdAt'],
  },
  FlagSummary: {
    type: 'object',
    properties: {
      reason: { type: 'string', enum: ['spam', 'abuse', 'off-topic', 'other'] },
      note: { type: ['string', 'null'] },
      at: DATE_TIME,
    },
    required: ['reason', 'note', 'at'],
  },
  ModeratedComment: {
    allOf: [
      ref('Comment'),
      {
        type: 'object',
        properties: {
          reasons: { type: 'array', items: ref('Reason') },
          previousStatus: { type: ['string', 'null'], enum: ['approved', 'pending', 'rejected', 'deleted', null] },
          flagged: { type: 'boolean' },
          flagCount: { type: 'integer', minimum: 0 },
        },
        required: ['reasons'],
      },
    ],
  },
  QueueItem: {
    allOf: [
      ref('Comment'),
      {
        type: 'object',
        properties: {
          reasons: { type: 'array', items: ref('Reason') },
          flags: { type: 'array', items: ref('FlagSummary') },
        },
        required: ['reasons', 'flags'],
      },
    ],
  },
  QueuePage: {
    type: 'object',
    properties: { items: { type: 'array', items: ref('QueueItem') }, nextCursor: { type: ['string', 'null'] } },
    required: ['items', 'nextCursor'],
  },
  ModerationAction: {
    type: 'object',
    properties: {
      action: { type: 'string' },
      actor: {
        description: "Null for the machine's own actions.",
        anyOf: [
          { type: 'null' },
          { type: 'object', properties: { id: { type: 'string' }, displayName: { type: 'string' } }, required: ['id', 'displayName'] },
        ],
      },
      reason: { type: ['string', 'null'] },
      note: { type: ['string', 'null'] },
      at: DATE_TIME,
    },
    required: ['action', 'actor', 'reason', 'at'],
  },
};

const parameters: Record<string, ParameterObject> = {
  siteId: { name: 'siteId', in: 'path', required: true, schema: OBJECT_ID },
  articleId: {
    name: 'articleId',
    in: 'path',
    required: true,
    description: "The site's own key for the page: a slug or URL-safe id.",
    schema: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._~:-]+$' },
  },
  commentId: { name: 'commentId', in: 'path', required: true, schema: OBJECT_ID },
  userId: { name: 'userId', in: 'path', required: true, schema: OBJECT_ID },
  limit: { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
  cursor: { name: 'cursor', in: 'query', schema: { type: 'string', minLength: 1, maxLength: 200 } },
};

const COMMENT_TEXT: SchemaObject = { type: 'string', minLength: 1, maxLength: 5000, description: 'At most 5000 characters after trimming.' };
const NOTE: SchemaObject = { type: 'string', maxLength: 500 };
const LINK_TOKEN: SchemaObject = { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' };
const RETURN_TARGET: Record<string, SchemaObject> = {
  siteId: { ...OBJECT_ID, description: 'With returnTo: the site whose page emailed links lead back to.' },
  returnTo: { type: 'string', maxLength: 2000, description: "An URL on one of the site's origins." },
};

const NO_CONTENT: ResponseObject = { description: 'Done; no body.' };
const SEEN_REVISION: SchemaObject = {
  type: 'integer',
  minimum: 0,
  description: "The comment's revision as the moderator saw it; if it changed since (another moderator decided), 409.",
};
const LIST_PARAMS = [parameterRef('limit'), parameterRef('cursor')];
const ID_LIST = (item: SchemaObject): SchemaObject => ({
  type: 'object',
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  required: ['items', 'nextCursor'],
});
const SITE_BAN: SchemaObject = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    siteId: OBJECT_ID,
    userId: OBJECT_ID,
    user: ref('Author'),
    reason: { type: 'string' },
    until: NULLABLE_DATE_TIME,
    createdBy: OBJECT_ID,
    createdAt: DATE_TIME,
  },
  required: ['id', 'siteId', 'userId', 'reason', 'until', 'createdAt'],
};
const BAN_FIELDS: Record<string, SchemaObject> = {
  reason: { type: 'string', minLength: 1, maxLength: 500 },
  until: { ...DATE_TIME, description: 'In the future; absent: until lifted.' },
};
const ARTICLE_ID_SCHEMA: SchemaObject = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._~:-]+$' };
const OPEN_OBJECT: SchemaObject = { type: 'object' };

/** Per-site bans, administration, and the console's own endpoints (issue 11). */
const consolePaths: OpenApiDocument['paths'] = {
  '/api/v1/sites/{siteId}/bans': {
    post: operation({
      operationId: 'banOnSite',
      summary: "Bans a user on this site only: no posting, editing, voting or flagging here. The site's moderators or an admin.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      requestBody: jsonBody(strictObject({ userId: OBJECT_ID, ...BAN_FIELDS }, ['userId', 'reason'])),
      responses: { '201': json('The ban (banning again replaces reason and end).', SITE_BAN) },
    }),
    get: operation({
      operationId: 'listSiteBans',
      summary: "The site's bans, paged.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), ...LIST_PARAMS],
      responses: { '200': json('A page of bans.', ID_LIST(SITE_BAN)) },
    }),
  },
  '/api/v1/sites/{siteId}/bans/{userId}': {
    delete: operation({
      operationId: 'liftSiteBan',
      summary: 'Lifts a ban on this site.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), parameterRef('userId')],
      responses: { '204': NO_CONTENT },
    }),
  },
  '/api/v1/sites': {
    get: operation({
      operationId: 'listSites',
      summary: 'Every site for an admin; the moderated ones for a moderator. Paged on id.',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: LIST_PARAMS,
      responses: { '200': json('A page of sites.', ID_LIST(ref('Site'))) },
    }),
  },
  '/api/v1/sites/{siteId}/moderators': {
    get: operation({
      operationId: 'listModerators',
      summary: "The site's moderators (admins, or a moderator of the site). Emails only for admins.",
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      responses: { '200': json('The moderators.', { type: 'object', properties: { items: { type: 'array', items: ref('User') } }, required: ['items'] }) },
    }),
  },
  '/api/v1/sites/{siteId}/moderators/{userId}': {
    put: operation({
      operationId: 'grantModerator',
      summary: 'Admins only: the user moderates the site (a commenter becomes a moderator).',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), parameterRef('userId')],
      responses: { '204': NO_CONTENT },
    }),
    delete: operation({
      operationId: 'revokeModerator',
      summary: 'Admins only: the user no longer moderates the site (with no site left, a commenter again).',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), parameterRef('userId')],
      responses: { '204': NO_CONTENT },
    }),
  },
  '/api/v1/people': {
    get: operation({
      operationId: 'searchPeople',
      summary: 'Admins: accounts by email prefix or name prefix. Moderators: by name prefix, only people who commented on their sites.',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [
        { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 2, maxLength: 100 } },
        { name: 'siteId', in: 'query', schema: OBJECT_ID },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50 } },
      ],
      responses: { '200': json('The people found.', { type: 'object', properties: { items: { type: 'array', items: ref('User') } }, required: ['items'] }) },
    }),
  },
  '/api/v1/sites/{siteId}/users/{userId}': {
    get: operation({
      operationId: 'commenterRecord',
      summary: "A commenter's record on the site: comments by status, flags against them, decisions and bans.",
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), parameterRef('userId')],
      responses: {
        '200': json('The record.', {
          type: 'object',
          properties: {
            user: ref('User'),
            summary: OPEN_OBJECT,
            comments: { type: 'array', items: ref('ModeratedComment') },
            flagsAgainst: OPEN_OBJECT,
            decisions: { type: 'array', items: OPEN_OBJECT },
            bans: { type: 'array', items: OPEN_OBJECT },
          },
          required: ['user', 'summary', 'comments', 'flagsAgainst', 'decisions', 'bans'],
        }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/embed': {
    get: operation({
      operationId: 'embedSnippet',
      summary: 'The HTML a site pastes into its pages (widget and count badge), with its id and this service address.',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      responses: {
        '200': json('The snippets.', { type: 'object', properties: { html: { type: 'string' }, countHtml: { type: 'string' } }, required: ['html', 'countHtml'] }),
      },
    }),
  },
  '/api/v1/comments/{commentId}/featured': {
    put: operation({
      operationId: 'featureComment',
      summary: "Features an approved comment (an editors' pick); recorded in its history; publishes comment.featured.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('commentId')],
      responses: { '200': json('The comment.', ref('ModeratedComment')) },
    }),
    delete: operation({
      operationId: 'unfeatureComment',
      summary: 'Unfeatures a comment (the undo of featuring); recorded in its history.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('commentId')],
      responses: { '200': json('The comment.', ref('ModeratedComment')) },
    }),
  },
  '/api/v1/sites/{siteId}/articles/{articleId}/featured': {
    get: operation({
      operationId: 'listFeatured',
      summary: "An article's approved featured comments, most recently featured first (at most 20); for the widget's Featured tab.",
      tags: ['comments'],
      parameters: [parameterRef('siteId'), parameterRef('articleId')],
      responses: {
        '200': json('The featured comments.', { type: 'object', properties: { comments: { type: 'array', items: ref('Comment') } }, required: ['comments'] }),
      },
    }),
  },
  '/api/v1/comments/{commentId}/undo': {
    post: operation({
      operationId: 'undoDecision',
      summary: "Takes back the caller's own last approve/reject within 10 minutes, if nothing changed since: the comment is pending again.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('commentId')],
      requestBody: jsonBody(strictObject({ revision: { type: 'integer', minimum: 0, description: 'The revision the decision produced.' } }, ['revision'])),
      responses: { '200': json('The comment.', ref('ModeratedComment')) },
    }),
  },
  '/api/v1/comments/{commentId}/conversation': {
    get: operation({
      operationId: 'conversation',
      summary: 'The whole conversation of a comment: its root and every reply, any status, oldest first (at most 500).',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('commentId')],
      responses: {
        '200': json('The conversation.', {
          type: 'object',
          properties: { rootId: OBJECT_ID, items: { type: 'array', items: ref('ModeratedComment') } },
          required: ['rootId', 'items'],
        }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/moderation/search': {
    get: operation({
      operationId: 'searchComments',
      summary:
        "Searches a site's comments by text (substring), author (id or name prefix) and article. Each call reads at most 2,000 comments, newest first, through an index; nextCursor continues into older ones.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [
        parameterRef('siteId'),
        { name: 'q', in: 'query', schema: { type: 'string', minLength: 1, maxLength: 200 } },
        { name: 'author', in: 'query', schema: { type: 'string', minLength: 1, maxLength: 100 } },
        { name: 'article', in: 'query', schema: ARTICLE_ID_SCHEMA },
        { name: 'status', in: 'query', schema: { type: 'string', enum: ['approved', 'pending', 'rejected', 'deleted'] } },
        ...LIST_PARAMS,
      ],
      responses: {
        '200': json('Matches, newest first.', {
          type: 'object',
          properties: { items: { type: 'array', items: ref('ModeratedComment') }, nextCursor: { type: ['string', 'null'] }, scanned: { type: 'integer' } },
          required: ['items', 'nextCursor', 'scanned'],
        }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/moderation/watchlist': {
    get: operation({
      operationId: 'readWatchList',
      summary: "The caller's watch list of articles on this site (the queue takes ?articles= for it).",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      responses: { '200': json('The watch list.', { type: 'object', properties: { articleIds: { type: 'array', items: { type: 'string' } } }, required: ['articleIds'] }) },
    }),
    put: operation({
      operationId: 'writeWatchList',
      summary: "Replaces the caller's watch list on this site (at most 50 articles).",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      requestBody: jsonBody(strictObject({ articleIds: { type: 'array', items: ARTICLE_ID_SCHEMA, maxItems: 50 } }, ['articleIds'])),
      responses: { '200': json('The watch list.', { type: 'object', properties: { articleIds: { type: 'array', items: { type: 'string' } } }, required: ['articleIds'] }) },
    }),
  },
};

const commentBody = strictObject(
  {
    body: COMMENT_TEXT,
    parentId: { type: ['string', 'null'], pattern: '^[a-fA-F0-9]{24}$', description: 'The comment this replies to.' },
    guest: strictObject(
      {
        name: { type: 'string', minLength: 1, maxLength: 60, description: 'No control or bidirectional-override characters.' },
        email: { type: 'string', format: 'email', maxLength: 254, description: 'Must not belong to an account (409).' },
        website: { type: 'string', format: 'uri', maxLength: 200, description: 'http(s); counts toward maxLinks.' },
      },
      ['name', 'email'],
    ),
    notifyReplies: { type: 'boolean', description: 'Mail me replies to this comment (signed-in, confirmed address).' },
    website: { type: 'string', maxLength: 0, description: 'Honeypot: hidden from people, must stay empty.' },
  },
  ['body'],
);

const paths: OpenApiDocument['paths'] = {
  '/healthz': {
    get: {
      operationId: 'health',
      summary: 'Liveness: 200 while the process lives.',
      tags: ['health'],
      responses: {
        '200': json('Alive.', { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] }),
      },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      summary: 'Readiness: 200 when the database answers.',
      tags: ['health'],
      responses: {
        '200': json('Ready.', { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] }),
        '503': responseRef('503'),
      },
    },
  },
  '/api/v1/openapi.json': {
    get: {
      operationId: 'openApiDocument',
      summary: 'This document.',
      tags: ['meta'],
      responses: { '200': json('The OpenAPI document.', { type: 'object' }) },
    },
  },
  '/embed.js': {
    get: {
      operationId: 'widgetScript',
      summary: 'The comments widget script sites put on their pages.',
      tags: ['widget'],
      responses: { '200': { description: 'JavaScript.', content: { 'text/javascript': { schema: { type: 'string' } } } } },
    },
  },
  '/embed/count.js': {
    get: {
      operationId: 'countScript',
      summary: 'Fills every [data-comment-count][data-site][data-article] element with its count.',
      tags: ['widget'],
      responses: { '200': { description: 'JavaScript.', content: { 'text/javascript': { schema: { type: 'string' } } } } },
    },
  },

  '/api/v1/sites': {
    post: operation({
      operationId: 'createSite',
      summary: 'Creates a site (tenant). Admin.',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      requestBody: jsonBody(
        strictObject(
          {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            origins: { type: 'array', items: { type: 'string', format: 'uri', maxLength: 300 }, maxItems: 50 },
            settings: ref('SiteSettingsPatch'),
          },
          ['name', 'origins'],
        ),
      ),
      responses: { '201': json('The new site.', ref('Site')) },
    }),
  },
  '/api/v1/sites/{siteId}': {
    get: operation({
      operationId: 'getSite',
      summary: "Reads a site. Admins and the site's moderators.",
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      responses: { '200': json('The site.', ref('Site')) },
    }),
  },
  '/api/v1/sites/{siteId}/settings': {
    patch: operation({
      operationId: 'updateSiteSettings',
      summary: 'Changes some settings of a site. Admin.',
      tags: ['sites'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      requestBody: jsonBody(ref('SiteSettingsPatch')),
      responses: { '200': json('The site.', ref('Site')) },
    }),
  },

  '/api/v1/auth/register': {
    post: operation({
      operationId: 'register',
      summary: 'Creates an account and sends a verification email.',
      tags: ['accounts'],
      problems: ['409', '422'],
      requestBody: jsonBody(
        strictObject(
          {
            email: { type: 'string', format: 'email', maxLength: 254 },
            password: { type: 'string', maxLength: 1024 },
            displayName: { type: 'string', minLength: 1, maxLength: 50 },
            ...RETURN_TARGET,
          },
          ['email', 'password', 'displayName'],
        ),
      ),
      responses: { '201': json('Signed in as the new account.', ref('Session')) },
    }),
  },
  '/api/v1/auth/login': {
    post: operation({
      operationId: 'login',
      summary: 'Signs in with email and password.',
      tags: ['accounts'],
      problems: ['401', '403'],
      requestBody: jsonBody(
        strictObject(
          { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 } },
          ['email', 'password'],
        ),
      ),
      responses: { '200': json('Signed in.', ref('Session')) },
    }),
  },
  '/api/v1/auth/email-link': {
    post: operation({
      operationId: 'requestEmailLink',
      summary: 'Emails a one-time sign-in link (15 minutes, single use). Answers 202 whether or not the address is known.',
      tags: ['accounts'],
      requestBody: jsonBody(strictObject({ email: { type: 'string', format: 'email', maxLength: 254 }, ...RETURN_TARGET }, ['email'])),
      responses: { '202': { description: 'Accepted; an email is on its way if the address can receive one.' } },
    }),
  },
  '/api/v1/auth/email-link/verify': {
    post: operation({
      operationId: 'verifyEmailLink',
      summary: 'Exchanges a one-time sign-in link token for a session.',
      tags: ['accounts'],
      problems: ['401', '403', '410'],
      requestBody: jsonBody(strictObject({ token: LINK_TOKEN }, ['token'])),
      responses: { '200': json('Signed in.', ref('Session')) },
    }),
  },
  '/api/v1/auth/verify-email': {
    post: operation({
      operationId: 'verifyEmail',
      summary:
        "Confirms an email address with the token from the verification email and signs the confirmer in. Opened outside the account's own session, it also removes a password someone else set and ends their sessions.",
      tags: ['accounts'],
      signedIn: 'optional',
      problems: ['410'],
      requestBody: jsonBody(strictObject({ token: LINK_TOKEN }, ['token'])),
      responses: { '200': json('Signed in; the user is now verified.', ref('Session')) },
    }),
  },
  '/api/v1/auth/facebook': {
    get: operation({
      operationId: 'facebookSignIn',
      summary: 'Redirects to Facebook with a state bound to this browser.',
      tags: ['accounts'],
      parameters: [
        { name: 'siteId', in: 'query', required: true, schema: OBJECT_ID },
        { name: 'returnTo', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 2000 } },
      ],
      responses: { '302': { description: 'To Facebook.' } },
    }),
  },
  '/api/v1/auth/facebook/callback': {
    get: operation({
      operationId: 'facebookCallback',
      summary: 'Signs in or creates the user, then hands the session token to the widget.',
      tags: ['accounts'],
      problems: ['401', '403', '502'],
      parameters: [
        { name: 'code', in: 'query', schema: { type: 'string', maxLength: 2000 } },
        { name: 'state', in: 'query', schema: { type: 'string', maxLength: 200 } },
        { name: 'error', in: 'query', schema: { type: 'string', maxLength: 200 } },
      ],
      responses: {
        '200': { description: 'A page that passes the session to the widget.', content: { 'text/html': { schema: { type: 'string' } } } },
        '302': { description: 'Back to the page that started the sign-in.' },
      },
    }),
  },
  '/api/v1/auth/me': {
    get: operation({
      operationId: 'me',
      summary: 'The signed-in user.',
      tags: ['accounts'],
      signedIn: 'required',
      responses: { '200': json('The user, with email.', ref('User')) },
    }),
  },
  '/api/v1/auth/refresh': {
    post: operation({
      operationId: 'refreshSession',
      summary: 'Exchanges a valid, unrevoked session token for a fresh one, so an active reader stays signed in without cookies.',
      tags: ['accounts'],
      signedIn: 'required',
      responses: { '200': json('A fresh session.', ref('Session')) },
    }),
  },
  '/api/v1/auth/logout': {
    post: operation({
      operationId: 'logout',
      summary: 'Ends every session of this user: the token stops working.',
      tags: ['accounts'],
      signedIn: 'required',
      responses: { '204': NO_CONTENT },
    }),
  },

  '/api/v1/auth/password-reset': {
    post: operation({
      operationId: 'requestPasswordReset',
      summary: 'Mails a one-time reset link (1 hour) to a known address. Always 202.',
      tags: ['accounts'],
      requestBody: jsonBody(strictObject({ email: { type: 'string', format: 'email', maxLength: 254 } }, ['email'])),
      responses: { '202': { description: 'Accepted; a mail is on its way if the address has an account.' } },
    }),
  },
  '/api/v1/auth/password-reset/confirm': {
    post: operation({
      operationId: 'confirmPasswordReset',
      summary: 'Sets the new password from the reset link; every other session ends.',
      tags: ['accounts'],
      problems: ['410'],
      requestBody: jsonBody(strictObject({ token: LINK_TOKEN, password: { type: 'string', maxLength: 256 } }, ['token', 'password'])),
      responses: { '200': json('Signed in with the new password.', ref('Session')) },
    }),
  },
  '/api/v1/auth/verify-email/resend': {
    post: operation({
      operationId: 'resendVerification',
      summary: 'Mails a new verification link to the unconfirmed address of the signed-in account.',
      tags: ['accounts'],
      signedIn: 'required',
      problems: ['409'],
      responses: { '202': { description: 'Accepted; the mail cap may hold it back.' } },
    }),
  },
  '/api/v1/auth/change-email/confirm': {
    post: operation({
      operationId: 'confirmEmailChange',
      summary: 'Makes the new address (from POST /me/email) the account address, verified.',
      tags: ['accounts'],
      problems: ['409', '410'],
      requestBody: jsonBody(strictObject({ token: LINK_TOKEN }, ['token'])),
      responses: { '200': json('The user with the new address.', { type: 'object', properties: { user: ref('User') }, required: ['user'] }) },
    }),
  },
  '/api/v1/auth/logout-everywhere': {
    post: operation({
      operationId: 'logoutEverywhere',
      summary: 'Ends every session of the signed-in account.',
      tags: ['accounts'],
      signedIn: 'required',
      responses: { '204': NO_CONTENT },
    }),
  },
  '/api/v1/me': {
    patch: operation({
      operationId: 'updateMe',
      summary: 'Changes the display name (also on earlier comments) and mail preferences.',
      tags: ['accounts'],
      signedIn: 'required',
      requestBody: jsonBody(
        strictObject({
          displayName: { type: 'string', minLength: 1, maxLength: 50 },
          notifyReplies: { type: 'boolean', description: 'Mail me replies to all my comments.' },
          notifyQueue: { type: 'boolean', description: 'Moderators: mail me new items in my queues.' },
        }),
      ),
      responses: { '200': json('The user with its mail preferences.', ref('User')) },
    }),
    delete: operation({
      operationId: 'deleteMe',
      summary: 'Deletes the account: comments become "deleted account" tombstones, the email is erased, sessions end.',
      tags: ['accounts'],
      signedIn: 'required',
      problems: ['403'],
      requestBody: jsonBody(strictObject({ password: { type: 'string', maxLength: 256, description: 'When the account has one.' } }), false),
      responses: { '204': NO_CONTENT },
    }),
  },
  '/api/v1/me/email': {
    post: operation({
      operationId: 'changeEmail',
      summary: 'Mails a confirmation link to the new address; nothing changes until it is opened.',
      tags: ['accounts'],
      signedIn: 'required',
      problems: ['403', '409'],
      requestBody: jsonBody(
        strictObject({ email: { type: 'string', format: 'email', maxLength: 254 }, currentPassword: { type: 'string', maxLength: 256 } }, ['email']),
      ),
      responses: { '202': { description: 'Accepted.' } },
    }),
  },
  '/api/v1/me/password': {
    put: operation({
      operationId: 'setPassword',
      summary: 'Sets a password (link-only and Facebook accounts) or changes it (currentPassword needed); other sessions end.',
      tags: ['accounts'],
      signedIn: 'required',
      problems: ['403', '409'],
      requestBody: jsonBody(strictObject({ password: { type: 'string', maxLength: 256 }, currentPassword: { type: 'string', maxLength: 256 } }, ['password'])),
      responses: { '200': json('A fresh session.', ref('Session')) },
    }),
  },
  '/api/v1/me/export': {
    get: operation({
      operationId: 'exportMe',
      summary: 'Everything held about the caller, as a JSON download.',
      tags: ['accounts'],
      signedIn: 'required',
      responses: { '200': json('The export (Content-Disposition: attachment).', { type: 'object' }) },
    }),
  },
  '/api/v1/sites/{siteId}/articles/{articleId}/events': {
    get: operation({
      operationId: 'articleEvents',
      summary: 'Live thread: `comment` events ({id, type: created|edited|deleted}) for public changes; `?poll=1&since=` long-polls.',
      tags: ['comments'],
      parameters: [
        parameterRef('siteId'),
        parameterRef('articleId'),
        { name: 'poll', in: 'query', schema: { type: 'string', enum: ['1'] } },
        { name: 'since', in: 'query', schema: { type: 'string', maxLength: 40 } },
      ],
      responses: {
        '200': {
          description: 'An event stream, or (poll=1) the events after `since` as JSON.',
          content: {
            'text/event-stream': { schema: { type: 'string' } },
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  events: { type: 'array', items: { type: 'object', properties: { id: OBJECT_ID, type: { type: 'string', enum: ['created', 'edited', 'deleted'] } } } },
                  cursor: { type: 'string' },
                  reset: { type: 'boolean', description: 'The cursor is unknown here: reload the thread.' },
                },
                required: ['events', 'cursor'],
              },
            },
          },
        },
      },
    }),
  },

  '/api/v1/sites/{siteId}/articles/{articleId}/comments': {
    get: operation({
      operationId: 'listComments',
      summary: "An article's thread: approved comments, plus the viewer's own pending ones.",
      tags: ['comments'],
      signedIn: 'optional',
      parameters: [
        parameterRef('siteId'),
        parameterRef('articleId'),
        { name: 'sort', in: 'query', schema: { type: 'string', enum: ['oldest', 'newest', 'top'] } },
        parameterRef('limit'),
        parameterRef('cursor'),
      ],
      responses: {
        '200': json('One page of root comments with all their replies.', ref('CommentPage')),
        '304': { description: 'The page is unchanged since the ETag sent in If-None-Match.' },
      },
    }),
    post: operation({
      operationId: 'postComment',
      summary: 'Posts a comment or reply; moderation decides approved, pending or rejected.',
      description:
        'Guests may post where the site allows it, giving `guest`. `website` is a honeypot that must stay empty. ' +
        'The same text from the same author within a minute is refused with 409.',
      tags: ['comments'],
      signedIn: 'optional',
      problems: ['403', '409', '422'],
      parameters: [parameterRef('siteId'), parameterRef('articleId')],
      requestBody: jsonBody(commentBody),
      responses: { '201': json('The comment, approved or pending.', ref('Comment')) },
    }),
  },
  '/api/v1/sites/{siteId}/comments/preview': {
    post: operation({
      operationId: 'previewComment',
      summary: 'Renders a draft as a posted comment would be (Markdown subset, sanitized); nothing is stored.',
      tags: ['comments'],
      parameters: [parameterRef('siteId')],
      requestBody: jsonBody(strictObject({ body: COMMENT_TEXT }, ['body'])),
      responses: {
        '200': json('The rendered draft.', { type: 'object', properties: { html: { type: 'string' } }, required: ['html'] }),
      },
    }),
  },
  '/api/v1/comments/{commentId}': {
    patch: operation({
      operationId: 'editComment',
      summary: 'Edits a comment: its author, inside the edit window; moderated again.',
      tags: ['comments'],
      signedIn: 'required',
      problems: ['403', '409', '422'],
      parameters: [parameterRef('commentId')],
      requestBody: jsonBody(strictObject({ body: COMMENT_TEXT }, ['body'])),
      responses: { '200': json('The edited comment.', ref('Comment')) },
    }),
    delete: operation({
      operationId: 'deleteComment',
      summary: 'Deletes a comment (author or moderator); replies stay and it becomes a tombstone.',
      tags: ['comments'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('commentId')],
      responses: { '204': NO_CONTENT },
    }),
  },
  '/api/v1/comments/{commentId}/flags': {
    post: operation({
      operationId: 'flagComment',
      summary: 'Flags a comment for moderators; one flag per user per comment.',
      tags: ['comments'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('commentId')],
      requestBody: jsonBody(
        strictObject(
          { reason: { type: 'string', enum: ['spam', 'abuse', 'off-topic', 'other'] }, note: NOTE },
          ['reason'],
        ),
      ),
      responses: { '201': json('The flag.', ref('Flag')) },
    }),
  },
  '/api/v1/comments/{commentId}/vote': {
    put: operation({
      operationId: 'voteComment',
      summary: "Sets the caller's vote on a comment (0 withdraws it).",
      tags: ['comments'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('commentId')],
      requestBody: jsonBody(strictObject({ value: { type: 'integer', enum: [1, 0, -1] } }, ['value'])),
      responses: {
        '200': json('The new score.', { type: 'object', properties: { score: { type: 'integer' } }, required: ['score'] }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/counts': {
    get: operation({
      operationId: 'commentCounts',
      summary: 'Approved comment counts for a list of articles.',
      tags: ['comments'],
      parameters: [
        parameterRef('siteId'),
        {
          name: 'articles',
          in: 'query',
          required: true,
          description: 'Comma-separated article ids.',
          schema: { type: 'string', minLength: 1, maxLength: 10000 },
        },
      ],
      responses: {
        '200': json('Counts by article id.', { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } }),
      },
    }),
  },

  '/api/v1/sites/{siteId}/moderation/queue': {
    get: operation({
      operationId: 'moderationQueue',
      summary: "A site's moderation queue, oldest first. Moderators of the site and admins.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [
        parameterRef('siteId'),
        { name: 'status', in: 'query', schema: { type: 'string', enum: ['pending', 'flagged', 'rejected'] } },
        parameterRef('limit'),
        parameterRef('cursor'),
        {
          name: 'articles',
          in: 'query',
          description: 'Comma-separated article ids (at most 50): the queue of a watch list.',
          schema: { type: 'string', maxLength: 10000 },
        },
      ],
      responses: {
        '200': json(
          'One page of the queue. Each item also carries `parent` (the comment it answers, or null) and `authorRecord` (account age, counts by status on this site, bans); `endCursor` continues after the last item even on the last page (for polling).',
          ref('QueuePage'),
        ),
      },
    }),
  },
  '/api/v1/comments/{commentId}/approve': {
    post: operation({
      operationId: 'approveComment',
      summary: 'Approves a comment.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('commentId')],
      requestBody: jsonBody(strictObject({ note: NOTE, revision: SEEN_REVISION }), false),
      responses: { '200': json('The comment, with what moderators see.', ref('ModeratedComment')) },
    }),
  },
  '/api/v1/comments/{commentId}/reject': {
    post: operation({
      operationId: 'rejectComment',
      summary: 'Rejects a comment.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('commentId')],
      requestBody: jsonBody(
        strictObject({ reason: { type: 'string', minLength: 1, maxLength: 200 }, note: NOTE, revision: SEEN_REVISION }, ['reason']),
      ),
      responses: { '200': json('The comment, with what moderators see.', ref('ModeratedComment')) },
    }),
  },
  '/api/v1/sites/{siteId}/moderation/bulk': {
    post: operation({
      operationId: 'bulkModerate',
      summary: 'Approves or rejects many comments of one site at once.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      requestBody: jsonBody(
        strictObject(
          {
            action: { type: 'string', enum: ['approve', 'reject'] },
            ids: { type: 'array', items: OBJECT_ID, minItems: 1, maxItems: 100 },
          },
          ['action', 'ids'],
        ),
      ),
      responses: {
        '200': json('How many comments changed.', {
          type: 'object',
          properties: { updated: { type: 'integer', minimum: 0 } },
          required: ['updated'],
        }),
      },
    }),
  },
  '/api/v1/comments/{commentId}/history': {
    get: operation({
      operationId: 'commentHistory',
      summary: "Every moderation action on a comment, oldest first. Moderators of the comment's site.",
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('commentId')],
      responses: {
        '200': json('The actions.', {
          type: 'object',
          properties: { actions: { type: 'array', items: ref('ModerationAction') } },
          required: ['actions'],
        }),
      },
    }),
  },
  '/api/v1/users/{userId}/ban': {
    post: operation({
      operationId: 'banUser',
      summary: 'Admins only: bans a user on every site; they cannot post, edit, vote or flag; their sessions end.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403', '409'],
      parameters: [parameterRef('userId')],
      requestBody: jsonBody(
        strictObject({ reason: { type: 'string', minLength: 1, maxLength: 500 }, until: DATE_TIME }, ['reason']),
      ),
      responses: { '200': json('The user.', ref('User')) },
    }),
    delete: operation({
      operationId: 'unbanUser',
      summary: 'Admins only: lifts a ban on every site.',
      tags: ['moderation'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('userId')],
      responses: { '200': json('The user.', ref('User')) },
    }),
  },
  // Administration: imports, exports, webhooks (admin role), and metrics.
  '/api/v1/sites/{siteId}/imports': {
    post: operation({
      operationId: 'startImport',
      summary: 'Admins only: imports a WordPress (WXR) or Disqus export, sent as the request body, as a background job.',
      description:
        'The body is the export file itself (streamed to disk, up to IMPORT_MAX_BYTES). Articles are matched by the ' +
        'post slug, the permalink path, or a mapping uploaded first to /api/v1/sites/{siteId}/import-mappings ' +
        '(`articleKey=map&mapping=ID`); `hold=true` runs each approved comment through the site\'s content rules. ' +
        'The whole file is checked before anything is published: a malformed file fails with its line and reason.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [
        parameterRef('siteId'),
        { name: 'format', in: 'query', required: true, schema: { type: 'string', enum: ['wxr', 'disqus'] } },
        { name: 'articleKey', in: 'query', schema: { type: 'string', enum: ['slug', 'path', 'map'], default: 'slug' } },
        {
          name: 'mapping',
          in: 'query',
          description: 'With articleKey=map only: the id of a mapping uploaded to this site.',
          schema: { type: 'string', pattern: '^[a-f0-9]{24}$' },
        },
        { name: 'hold', in: 'query', schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
      ],
      requestBody: {
        required: true,
        content: {
          'application/xml': { schema: { type: 'string', minLength: 1 } },
          'text/xml': { schema: { type: 'string', minLength: 1 } },
          'application/octet-stream': { schema: { type: 'string', minLength: 1 } },
        },
      },
      responses: {
        '202': {
          description: 'The job was started; poll its Location.',
          headers: { Location: { description: 'The job: /api/v1/sites/{siteId}/imports/{importId}.', schema: { type: 'string' } } },
          content: { 'application/json': { schema: { type: 'object', properties: { id: OBJECT_ID }, required: ['id'] } } },
        },
      },
    }),
  },
  '/api/v1/sites/{siteId}/import-mappings': {
    post: operation({
      operationId: 'uploadImportMapping',
      summary: 'Admins only: uploads a mapping file for imports with articleKey=map, checked whole before it is kept.',
      description:
        'One `source,articleId` pair a line (comma or tab), where source is a permalink, a path, a slug or the ' +
        'source\'s page id; blank lines and lines starting with `#` are skipped; at most 100,000 pairs. A bad line is ' +
        'a 400 naming it.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      requestBody: {
        required: true,
        content: {
          'text/csv': { schema: { type: 'string', minLength: 1 } },
          'text/plain': { schema: { type: 'string', minLength: 1 } },
          'text/tab-separated-values': { schema: { type: 'string', minLength: 1 } },
        },
      },
      responses: {
        '201': json('The mapping was kept; name its id in the import.', {
          type: 'object',
          properties: { id: OBJECT_ID, entries: { type: 'integer', minimum: 1, description: 'Pairs in the mapping.' } },
          required: ['id', 'entries'],
        }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/imports/{importId}': {
    get: operation({
      operationId: 'importStatus',
      summary: 'Admins only: an import job\'s status and progress.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), { name: 'importId', in: 'path', required: true, schema: OBJECT_ID }],
      responses: {
        '200': json('The job.', {
          type: 'object',
          properties: {
            id: OBJECT_ID,
            status: { type: 'string', enum: ['running', 'done', 'failed'] },
            processed: { type: 'integer', minimum: 0, description: 'Comments published so far.' },
            total: { type: 'integer', minimum: 0, description: 'Comments in the file; known once the file has been read whole.' },
            error: { type: 'string', description: '`line N: reason` for a malformed file.' },
            phase: { type: 'string', enum: ['checking', 'publishing', 'done'], description: 'checking reads the whole file and writes nothing.' },
            read: { type: 'integer', minimum: 0 },
            inserted: { type: 'integer', minimum: 0, description: 'Comments that were not there before.' },
            skipped: { type: 'integer', minimum: 0, description: 'Comments whose page the article rule could not match.' },
            bytes: { type: 'integer', minimum: 0 },
            bytesRead: { type: 'integer', minimum: 0 },
          },
          required: ['id', 'status', 'processed'],
        }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/export': {
    get: operation({
      operationId: 'exportComments',
      summary: 'Admins only: every comment of the site, streamed as JSON lines or WXR.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [
        parameterRef('siteId'),
        { name: 'format', in: 'query', required: true, schema: { type: 'string', enum: ['jsonl', 'wxr'] } },
        { name: 'includeEmails', in: 'query', schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
      ],
      responses: {
        '200': {
          description: 'The export, as a download.',
          content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'application/rss+xml': { schema: { type: 'string' } } },
        },
      },
    }),
  },
  '/api/v1/sites/{siteId}/webhooks': {
    get: operation({
      operationId: 'listWebhooks',
      summary: 'Admins only: the site\'s webhooks (without their secrets).',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId')],
      responses: {
        '200': json('The webhooks.', { type: 'object', properties: { items: { type: 'array', items: ref('Webhook') } }, required: ['items'] }),
      },
    }),
    post: operation({
      operationId: 'createWebhook',
      summary: 'Admins only: registers a URL for events; the answer shows the signing secret, once.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403', '422'],
      parameters: [parameterRef('siteId')],
      requestBody: jsonBody(
        strictObject(
          {
            url: { type: 'string', maxLength: 2000, description: 'http or https, a public address, no credentials.' },
            events: { type: 'array', minItems: 1, maxItems: 12, items: { type: 'string', enum: WEBHOOK_EVENT_NAMES } },
          },
          ['url', 'events'],
        ),
      ),
      responses: {
        '201': json('The webhook with its `whsec_` secret.', {
          allOf: [ref('Webhook'), { type: 'object', properties: { secret: { type: 'string', pattern: '^whsec_' } }, required: ['secret'] }],
        }),
      },
    }),
  },
  '/api/v1/sites/{siteId}/webhooks/{webhookId}': {
    delete: operation({
      operationId: 'deleteWebhook',
      summary: 'Admins only: removes a webhook and its undelivered events.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), { name: 'webhookId', in: 'path', required: true, schema: OBJECT_ID }],
      responses: { '204': NO_CONTENT },
    }),
  },
  '/api/v1/sites/{siteId}/webhooks/{webhookId}/deliveries': {
    get: operation({
      operationId: 'webhookDeliveries',
      summary: 'Admins only: the webhook\'s delivery log, newest first, with the last answer of each.',
      tags: ['administration'],
      signedIn: 'required',
      problems: ['403'],
      parameters: [parameterRef('siteId'), { name: 'webhookId', in: 'path', required: true, schema: OBJECT_ID }, parameterRef('limit')],
      responses: {
        '200': json('The deliveries.', {
          type: 'object',
          properties: { items: { type: 'array', items: ref('WebhookDelivery') } },
          required: ['items'],
        }),
      },
    }),
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      summary: 'Prometheus metrics, for a caller with `Authorization: Bearer $METRICS_TOKEN`.',
      tags: ['meta'],
      responses: {
        '200': { description: 'The Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
        '401': responseRef('401'),
        '404': { description: 'METRICS_TOKEN is not set on this instance.', content: { 'application/problem+json': { schema: ref('Problem') } } },
      },
    },
  },
};
// Merged per method, so that a path both lists share (GET and POST /api/v1/sites) keeps every operation.
for (const [route, item] of Object.entries(consolePaths)) paths[route] = { ...paths[route], ...item };

const PROBLEM_CODES = ['400', '401', '403', '404', '409', '410', '413', '415', '422', '429', '431', '502', '503'];

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Threadline',
    version: '1.0.0',
    description: 'Threaded comments with moderation for news sites. Errors are application/problem+json (RFC 9457).',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  tags: [
    { name: 'health' },
    { name: 'meta' },
    { name: 'widget' },
    { name: 'sites', description: 'Tenants; admin role.' },
    { name: 'accounts' },
    { name: 'comments' },
    { name: 'moderation', description: 'Moderator or admin role.' },
    { name: 'administration', description: 'Imports, exports and webhooks; admin role.' },
  ],
  paths,
  components: {
    schemas,
    responses: Object.fromEntries(PROBLEM_CODES.map((code) => [code, problemResponse(code)])),
    parameters,
    headers: {
      'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'string', pattern: '^[0-9]+$' } },
    },
    securitySchemes: {
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token from sign-in.' },
    },
  },
};
