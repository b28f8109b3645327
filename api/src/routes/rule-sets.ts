import { actorOf, principalOf } from '../context';
import {
  createRouter,
  defineRoute,
  idParams,
  jsonBody,
  ListQuery,
  listOf,
  ok,
  problemOf,
} from '../lib/openapi';
import {
  approveVersion,
  archivePublished,
  publishDraft,
  rejectVersion,
  rollbackTo,
} from '../services/rule-set-publishing';
import { backtest, simulate } from '../services/rule-set-simulation';
import {
  createRuleSet,
  diffVersions,
  discardDraft,
  listRuleSets,
  listVersions,
  patchRuleSet,
  ruleSetOrThrow,
  saveDraft,
  validateRuleSet,
} from '../services/rule-sets';
import {
  BacktestBody,
  BacktestSchema,
  CreateRuleSetBody,
  comparedJson,
  DiffQuery,
  DiffSchema,
  DraftBody,
  NoteBody,
  RollbackBody,
  RuleSetSchema,
  RuleSetVersionSchema,
  ruleSetJson,
  SimulateBody,
  SimulationSchema,
  simulationResultJson,
  UpdateRuleSetBody,
  ValidateBody,
  ValidationSchema,
  VersionListQuery,
  versionJson,
} from './rule-set-schemas';

const TAG = 'Commission rules';
const params = idParams('ruleSet');
const notFound = problemOf('No such rule set in the tenant');

const listRoute = defineRoute({
  method: 'get',
  path: '/v1/rule-sets',
  tag: TAG,
  summary: 'List rule sets / 佣金规则集列表',
  permission: 'rules:read',
  route: { request: { query: ListQuery }, responses: { 200: ok(listOf(RuleSetSchema)) } },
});

const createRoute = defineRoute({
  method: 'post',
  path: '/v1/rule-sets',
  tag: TAG,
  summary: 'Create a rule set with its first draft / 创建规则集',
  permission: 'rules:write',
  route: {
    request: { body: jsonBody(CreateRuleSetBody) },
    responses: {
      201: ok(RuleSetSchema, 'Created'),
      409: problemOf('Another rule set has the name'),
    },
  },
});

const readRoute = defineRoute({
  method: 'get',
  path: '/v1/rule-sets/{id}',
  tag: TAG,
  summary: 'Read a rule set / 查看规则集',
  permission: 'rules:read',
  route: { request: { params }, responses: { 200: ok(RuleSetSchema), 404: notFound } },
});

const updateRoute = defineRoute({
  method: 'patch',
  path: '/v1/rule-sets/{id}',
  tag: TAG,
  summary: 'Rename or describe a rule set / 修改规则集',
  permission: 'rules:write',
  route: {
    request: { params, body: jsonBody(UpdateRuleSetBody) },
    responses: { 200: ok(RuleSetSchema), 404: notFound, 409: problemOf('The name is taken') },
  },
});

const saveDraftRoute = defineRoute({
  method: 'put',
  path: '/v1/rule-sets/{id}/draft',
  tag: TAG,
  summary: 'Save the draft (a new one after the newest version if none) / 保存草稿',
  permission: 'rules:write',
  route: {
    request: { params, body: jsonBody(DraftBody) },
    responses: { 200: ok(RuleSetVersionSchema), 404: notFound },
  },
});

const discardDraftRoute = defineRoute({
  method: 'delete',
  path: '/v1/rule-sets/{id}/draft',
  tag: TAG,
  summary: 'Discard the draft / 丢弃草稿',
  permission: 'rules:write',
  route: {
    request: { params },
    responses: { 204: { description: 'Discarded' }, 404: notFound, 409: problemOf('No draft') },
  },
});

const versionsRoute = defineRoute({
  method: 'get',
  path: '/v1/rule-sets/{id}/versions',
  tag: TAG,
  summary: 'Versions, newest first, with their content / 版本列表',
  permission: 'rules:read',
  route: {
    request: { params, query: VersionListQuery },
    responses: { 200: ok(listOf(RuleSetVersionSchema)), 404: notFound },
  },
});

const diffRoute = defineRoute({
  method: 'get',
  path: '/v1/rule-sets/{id}/diff',
  tag: TAG,
  summary: 'What changed between two versions / 版本对比',
  permission: 'rules:read',
  route: {
    request: { params, query: DiffQuery },
    responses: { 200: ok(DiffSchema), 404: notFound },
  },
});

const validateRoute = defineRoute({
  method: 'post',
  path: '/v1/rule-sets/{id}/validate',
  tag: TAG,
  summary: 'Check content or the draft against the schema and compliance / 校验规则',
  permission: 'rules:write',
  route: {
    request: { params, body: jsonBody(ValidateBody) },
    responses: { 200: ok(ValidationSchema), 404: notFound, 409: problemOf('No draft') },
  },
});

const stepRoute = (
  path: string,
  summary: string,
  permission: 'rules:publish' | 'rules:approve',
  conflict: string,
) =>
  defineRoute({
    method: 'post',
    path: `/v1/rule-sets/{id}/${path}`,
    tag: TAG,
    summary,
    permission,
    route: {
      request: { params, body: jsonBody(NoteBody) },
      responses: {
        200: ok(RuleSetVersionSchema),
        404: notFound,
        409: problemOf(conflict),
        422: problemOf('The compliance guard refuses the content; errors lists each breach'),
      },
    },
  });

const publishRoute = stepRoute(
  'publish',
  'Publish the draft, or submit it for approval under maker-checker / 发布',
  'rules:publish',
  'No draft, or it already waits for approval',
);
const approveRoute = stepRoute(
  'approve',
  'Approve the version waiting for approval (a second person) / 复核通过',
  'rules:approve',
  'Nothing waits for approval',
);
const rejectRoute = stepRoute(
  'reject',
  'Send the version waiting for approval back to draft / 复核驳回',
  'rules:approve',
  'Nothing waits for approval',
);
const archiveRoute = stepRoute(
  'archive',
  'Archive the published version: no rules pay until another is published / 归档',
  'rules:publish',
  'Nothing is published',
);

const rollbackRoute = defineRoute({
  method: 'post',
  path: '/v1/rule-sets/{id}/rollback',
  tag: TAG,
  summary: "Publish an older version's content as a new version / 回滚",
  permission: 'rules:publish',
  route: {
    request: { params, body: jsonBody(RollbackBody) },
    responses: {
      200: ok(RuleSetVersionSchema),
      404: notFound,
      409: problemOf('A draft exists, or the version was never published'),
      422: problemOf('The compliance guard refuses the content'),
    },
  },
});

const simulateRoute = defineRoute({
  method: 'post',
  path: '/v1/rule-sets/{id}/simulate',
  tag: TAG,
  summary: 'Evaluate orders: commission lines and explanations, nothing stored / 模拟计算',
  permission: 'rules:write',
  route: {
    request: { params, body: jsonBody(SimulateBody) },
    responses: { 200: ok(SimulationSchema), 404: notFound },
  },
});

const backtestRoute = defineRoute({
  method: 'post',
  path: '/v1/rule-sets/{id}/backtest',
  tag: TAG,
  summary: 'Replay recorded conversions under the draft and the published version / 回测',
  permission: 'rules:write',
  route: {
    request: { params, body: jsonBody(BacktestBody) },
    responses: { 200: ok(BacktestSchema), 404: notFound },
  },
});

export const ruleSetRoutes = createRouter()
  // GET /v1/rule-sets: the tenant's rule sets, newest first.
  .openapi(listRoute, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await listRuleSets(c.get('deps'), principalOf(c).tenantId, {
      limit,
      after: cursor,
    });
    return c.json({ data: page.data.map(ruleSetJson), nextCursor: page.nextCursor }, 200);
  })
  // POST /v1/rule-sets: a rule set and its first draft.
  .openapi(createRoute, async (c) => {
    const created = await createRuleSet(c.get('deps'), actorOf(c), c.req.valid('json'));
    return c.json(ruleSetJson(created), 201);
  })
  // GET /v1/rule-sets/{id}
  .openapi(readRoute, async (c) => {
    const { id } = c.req.valid('param');
    const view = await ruleSetOrThrow(c.get('deps').database.db, principalOf(c).tenantId, id);
    return c.json(ruleSetJson(view), 200);
  })
  // PATCH /v1/rule-sets/{id}: name and description.
  .openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const view = await patchRuleSet(c.get('deps'), actorOf(c), id, c.req.valid('json'));
    return c.json(ruleSetJson(view), 200);
  })
  // PUT /v1/rule-sets/{id}/draft: replace the draft's content.
  .openapi(saveDraftRoute, async (c) => {
    const { id } = c.req.valid('param');
    const saved = await saveDraft(c.get('deps'), actorOf(c), id, c.req.valid('json').content);
    return c.json(versionJson(saved), 200);
  })
  // DELETE /v1/rule-sets/{id}/draft: drop the draft.
  .openapi(discardDraftRoute, async (c) => {
    const { id } = c.req.valid('param');
    await discardDraft(c.get('deps'), actorOf(c), id);
    return c.body(null, 204);
  })
  // GET /v1/rule-sets/{id}/versions: newest first; the cursor is a version number.
  .openapi(versionsRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const beforeVersion = cursor === undefined ? undefined : Number(cursor);
    const page = await listVersions(c.get('deps'), principalOf(c).tenantId, id, {
      limit,
      beforeVersion,
    });
    return c.json({ data: page.data.map(versionJson), nextCursor: page.nextCursor }, 200);
  })
  // GET /v1/rule-sets/{id}/diff: from the published version to the draft by default.
  .openapi(diffRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { from, to, diff } = await diffVersions(
      c.get('deps'),
      principalOf(c).tenantId,
      id,
      c.req.valid('query'),
    );
    return c.json({ from, to, ...diff }, 200);
  })
  // POST /v1/rule-sets/{id}/validate: schema errors and compliance breaches, nothing saved.
  .openapi(validateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { content } = c.req.valid('json');
    const result = await validateRuleSet(c.get('deps'), principalOf(c).tenantId, id, content);
    return c.json(result, 200);
  })
  // POST /v1/rule-sets/{id}/publish: publish, or submit for approval under maker-checker.
  .openapi(publishRoute, async (c) => {
    const { id } = c.req.valid('param');
    const v = await publishDraft(c.get('deps'), actorOf(c), id, c.req.valid('json').note);
    return c.json(versionJson(v), 200);
  })
  // POST /v1/rule-sets/{id}/approve: a second person publishes the submitted version.
  .openapi(approveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const v = await approveVersion(c.get('deps'), actorOf(c), id, c.req.valid('json').note);
    return c.json(versionJson(v), 200);
  })
  // POST /v1/rule-sets/{id}/reject: the submitted version goes back to draft.
  .openapi(rejectRoute, async (c) => {
    const { id } = c.req.valid('param');
    const v = await rejectVersion(c.get('deps'), actorOf(c), id, c.req.valid('json').note);
    return c.json(versionJson(v), 200);
  })
  // POST /v1/rule-sets/{id}/archive: stop paying by the published version.
  .openapi(archiveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const v = await archivePublished(c.get('deps'), actorOf(c), id, c.req.valid('json').note);
    return c.json(versionJson(v), 200);
  })
  // POST /v1/rule-sets/{id}/rollback: an older version's content as a new version.
  .openapi(rollbackRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { version, note } = c.req.valid('json');
    const v = await rollbackTo(c.get('deps'), actorOf(c), id, version, note);
    return c.json(versionJson(v), 200);
  })
  // POST /v1/rule-sets/{id}/simulate: lines and explanations for given orders.
  .openapi(simulateRoute, async (c) => {
    const { id } = c.req.valid('param');
    const out = await simulate(c.get('deps'), principalOf(c).tenantId, id, c.req.valid('json'));
    return c.json({ ...out, results: out.results.map(simulationResultJson) }, 200);
  })
  // POST /v1/rule-sets/{id}/backtest: recorded conversions under the draft and the published.
  .openapi(backtestRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const out = await backtest(c.get('deps'), principalOf(c).tenantId, id, {
      from: new Date(body.from),
      to: new Date(body.to),
    });
    return c.json(
      {
        ...out,
        from: out.from.toISOString(),
        to: out.to.toISOString(),
        totals: out.totals.map(comparedJson),
        promoters: out.promoters.map(comparedJson),
      },
      200,
    );
  });
