export const id = 325;
export const ids = [325];
export const modules = {

/***/ 3325:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  connectToCluster: () => (/* binding */ connectToCluster),
  deploy: () => (/* binding */ deploy_deploy)
});

// EXTERNAL MODULE: ./core/deploy.ts
var deploy = __webpack_require__(5705);
// EXTERNAL MODULE: ./core/duration.ts
var duration = __webpack_require__(8478);
// EXTERNAL MODULE: ./core/errors.ts
var errors = __webpack_require__(265);
// EXTERNAL MODULE: ./core/text.ts
var core_text = __webpack_require__(1509);
// EXTERNAL MODULE: ./core/poll.ts
var poll = __webpack_require__(9147);
// EXTERNAL MODULE: ./actions/deploy-eks/src/kube.ts + 1 modules
var src_kube = __webpack_require__(6162);
// EXTERNAL MODULE: ./actions/deploy-eks/src/labels.ts
var labels = __webpack_require__(1926);
;// CONCATENATED MODULE: ./actions/deploy-eks/src/diff.ts

/** kubectl's client-side apply copy of the object: for a Secret, its values in plain JSON. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const VOLATILE_ANNOTATIONS = new Set([labels/* RUN_ANNOTATION */.c4, labels/* COMMIT_ANNOTATION */._u]);
const BOOKKEEPING = [
    'resourceVersion',
    'managedFields',
    'generation',
    'creationTimestamp',
    'uid',
    'selfLink'
];
/** The object without what changes on every write (status, resourceVersion, managedFields, our run annotations). */
function comparable(object) {
    const { status: _status, ...rest } = object;
    const meta = { ...object.metadata };
    for (const key of BOOKKEEPING)
        delete meta[key];
    const annotations = Object.entries(meta.annotations ?? {}).filter(([k]) => !VOLATILE_ANNOTATIONS.has(k));
    if (annotations.length > 0)
        meta.annotations = Object.fromEntries(annotations);
    else
        delete meta.annotations;
    if (meta.labels && Object.keys(meta.labels).length === 0)
        delete meta.labels;
    return { ...rest, metadata: meta };
}
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/**
 * Differences between two JSON values, as `path: old → new` lines. A map that is new or gone is walked key by
 * key (`data.a: (none) → "1"`), so a line never holds a whole subtree of maps.
 */
function diff(before, after, options = {}) {
    const out = [];
    walk(before, after, '', out, { limit: 40, ...options });
    return out;
}
function walk(before, after, path, out, o) {
    if (out.length >= o.limit)
        return;
    if (Array.isArray(before) && Array.isArray(after)) {
        for (let i = 0; i < Math.max(before.length, after.length); i++)
            walk(before[i], after[i], `${path}[${i}]`, out, o);
        return;
    }
    const maps = (isMap(before) || before === undefined) && (isMap(after) || after === undefined);
    if (maps && (before !== undefined || after !== undefined)) {
        const b = (before ?? {});
        const a = (after ?? {});
        const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
        // An empty map that appeared or went (`resources: {}`); two empty maps are the same.
        if (keys.length === 0 && (before === undefined) !== (after === undefined))
            return emit(before, after, path, out, o);
        for (const k of keys)
            walk(b[k], a[k], path ? `${path}.${k}` : k, out, o);
        return;
    }
    if (JSON.stringify(before) !== JSON.stringify(after))
        emit(before, after, path, out, o);
}
function emit(before, after, path, out, o) {
    if (o.hidden?.(path)) {
        const what = before === undefined ? 'added' : after === undefined ? 'removed' : 'value changed';
        out.push(`${path}: (${what})`);
        return;
    }
    const show = (v) => (v === undefined ? '(none)' : JSON.stringify(v).slice(0, 120));
    out.push(`${path}: ${show(before)} → ${show(after)}`);
}
/** The paths of a Secret whose values are never shown: its data, and kubectl's copy of it. */
function secretPath(path) {
    return /^(data|stringData)(\.|\[|$)/.test(path) || path === `metadata.annotations.${LAST_APPLIED}`;
}
/** What changed between two states of an object; a Secret's values are named, never shown. */
function changes(before, after) {
    const hidden = after.kind === 'Secret' ? secretPath : undefined;
    return diff(comparable(before), comparable(after), { hidden });
}
/**
 * Shorter values are not masked: the runner would hide every `1` or `yes` in the log, and such a value hides
 * nothing worth hiding.
 */
const MIN_MASKED = 4;
/**
 * Masks every value of a Secret (from the manifests or read from the cluster): each plain value and its base64
 * form, since the API server answers `stringData` as base64 `data`, and kubectl's last-applied copy.
 */
function maskSecret(object, log) {
    if (object?.kind !== 'Secret')
        return;
    const values = (field) => Object.values((object[field] ?? {})).map(String);
    const forms = [
        ...values('stringData').map(plain => [plain, Buffer.from(plain).toString('base64')]),
        ...values('data').map(encoded => [Buffer.from(encoded, 'base64').toString('utf8'), encoded])
    ];
    const masked = new Set();
    for (const [plain, encoded] of forms) {
        if (plain.trim().length < MIN_MASKED)
            continue;
        for (const form of [plain, encoded, ...plain.split(/\r?\n/)])
            if (form.trim().length >= MIN_MASKED)
                masked.add(form.trim());
    }
    for (const form of masked)
        log.mask(form);
    const copy = object.metadata.annotations?.[LAST_APPLIED];
    if (copy)
        log.mask(copy);
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/ownership.ts
/**
 * Field ownership as the API server records it (metadata.managedFields, fieldsV1), and the move from kubectl's
 * client-side apply to our server-side apply as kubectl makes its own (client-go util/csaupgrade,
 * `UpgradeManagedFieldsPatch`, driven by kubectl apply's `migrateToSSAIfNecessary`):
 *
 * - the client-side managers are the Update managers that own the last-applied annotation;
 * - our Apply entry (or, when we have none yet, the first client-side entry renamed to ours and made an Apply)
 *   takes the union of its fields and those of the client-side entry of the same API version;
 * - every client-side entry is then dropped, and the result is written with a JSON patch that also replaces
 *   resourceVersion, so a write in between makes it fail with 409 instead of undoing that write.
 *
 * Afterwards our apply owns what `kubectl apply` owned: an image change does not conflict, and a field that left
 * the manifest is removed from the object.
 */


function managedFields(object) {
    return (object?.metadata.managedFields ?? []);
}
/** True when the fieldsV1 trie holds the field at `path` (field names, as in `['spec', 'replicas']`). */
function ownsField(fields, path) {
    let node = fields;
    for (const name of path) {
        node = node?.[`f:${name}`];
        if (!node)
            return false;
    }
    return true;
}
/** The managers (entries) that own the field at `path`. */
function ownersOf(object, path) {
    return managedFields(object).filter(e => ownsField(e.fieldsV1, path));
}
/** The union of two fieldsV1 tries (structured-merge-diff `Set.Union`). */
function unionFields(a = {}, b = {}) {
    const out = {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
        out[key] = unionFields(a[key], b[key]);
    return out;
}
const isClientSide = (name) => (e) => e.manager === name && e.operation === 'Update' && !e.subresource;
/** kubectl's client-side apply managers of an object: the Update managers that own the last-applied annotation. */
function clientSideManagers(object) {
    const path = ['metadata', 'annotations', LAST_APPLIED];
    const names = managedFields(object)
        .filter(e => e.operation === 'Update' && !e.subresource && ownsField(e.fieldsV1, path))
        .map(e => e.manager ?? '');
    return [...new Set(names)];
}
/** csaupgrade's `upgradedManagedFields` for one client-side manager: returns a new list, the input untouched. */
function upgradeOne(entries, csa, ssa) {
    const list = entries.map(e => ({ ...e }));
    let target = list.findIndex(e => e.manager === ssa && e.operation === 'Apply' && !e.subresource);
    if (target < 0) {
        // The most recent client-side entry (managedFields are sorted newest first) becomes ours.
        target = list.findIndex(isClientSide(csa));
        if (target < 0)
            return list;
        list[target] = { ...list[target], manager: ssa, operation: 'Apply' };
    }
    const same = list.find(e => isClientSide(csa)(e) && e.apiVersion === list[target].apiVersion);
    if (same)
        list[target].fieldsV1 = unionFields(list[target].fieldsV1, same.fieldsV1);
    return list.filter(e => !isClientSide(csa)(e));
}
/** managedFields with every client-side manager's fields given to `fieldManager` (csaupgrade UpgradeManagedFields). */
function upgradeManagedFields(entries, clientSide, fieldManager) {
    return clientSide.reduce((list, csa) => upgradeOne(list, csa, fieldManager), entries);
}
/** kubectl's maxPatchRetry: how often the migration is tried again after a write in between (409). */
const MIGRATION_ATTEMPTS = 5;
/**
 * Moves an object from client-side apply to `fieldManager` (see the top of this file). Returns the object as
 * written, or the object given when there was nothing to move.
 */
async function migrateClientSideApply(kube, live, fieldManager) {
    const ref = {
        apiVersion: live.apiVersion,
        kind: live.kind,
        namespace: live.metadata.namespace,
        name: live.metadata.name
    };
    let current = live;
    for (let attempt = 1;; attempt++) {
        const clientSide = clientSideManagers(current);
        if (clientSide.length === 0)
            return current;
        const upgraded = upgradeManagedFields(managedFields(current), clientSide, fieldManager);
        try {
            return await kube.patch(ref, [
                { op: 'replace', path: '/metadata/managedFields', value: upgraded },
                // `replace`, not `test`: a changed object fails with 409 Conflict rather than 422 (as csaupgrade does).
                { op: 'replace', path: '/metadata/resourceVersion', value: current.metadata.resourceVersion }
            ]);
        }
        catch (error) {
            if (!(error instanceof src_kube/* KubeError */.a3 && error.status === 409) || attempt >= MIGRATION_ATTEMPTS)
                throw error;
            const fresh = await kube.get(ref);
            // Deleted in between: the apply creates it, with nothing to move.
            if (!fresh)
                return current;
            current = fresh;
        }
    }
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/autoscaler.ts
/**
 * A workload a HorizontalPodAutoscaler scales: its `spec.replicas` belongs to the autoscaler, which writes it
 * through the scale subresource (as kube-controller-manager). We neither send it nor take it over, whatever the
 * manifest says, so a deploy never meets a 409 over it and never resets the count.
 *
 * Giving the field up is done the way the Kubernetes documentation shows for this very case (Server-Side Apply,
 * "Transferring ownership"): leaving `replicas` out of an apply while we are its only owner would reset it to
 * the default (1), so first a private field manager applies the live count alone, sharing the field; then our
 * apply without it lets go, and the count stays. The private manager loses the field the next time the
 * autoscaler writes it, and with it its entry. A conflict on that apply means the autoscaler owns the field
 * already: nothing to do.
 */



const HPA_API = 'autoscaling/v2';
const REPLICAS = ['spec', 'replicas'];
/** Kinds with a scale subresource among the built-in ones; a custom kind counts when its manifest sets replicas. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);
/** The key of a scale target: group, kind, namespace, name (any version of the group). */
function targetKey(namespace, ref) {
    return (0,src_kube/* refKey */.XF)({
        apiVersion: ref.apiVersion ?? '',
        kind: ref.kind ?? '',
        namespace,
        name: ref.name ?? ''
    });
}
function scalable(object) {
    return SCALABLE.has(object.kind) || typeof object.spec?.replicas === 'number';
}
/**
 * The autoscalers of these objects, by the object's refKey: HorizontalPodAutoscalers among the objects, and
 * those in the cluster in the namespaces of scalable objects. A cluster that does not serve autoscaling/v2, or
 * forbids listing, is said once and counts as having none.
 */
async function findAutoscalers(kube, objects, options) {
    const hpas = objects.filter(o => o.kind === 'HorizontalPodAutoscaler' && (0,src_kube/* groupOf */.F8)(o.apiVersion) === 'autoscaling');
    const namespaces = new Set(objects
        .filter(scalable)
        .map(o => o.metadata.namespace ?? '')
        .filter(ns => ns && !options.skip?.has(ns)));
    for (const namespace of namespaces)
        hpas.push(...(await listAutoscalers(kube, namespace, options.log)));
    const found = new Map();
    for (const hpa of hpas) {
        const ref = hpa.spec?.scaleTargetRef ?? {};
        const namespace = hpa.metadata.namespace;
        found.set(targetKey(namespace, ref), (0,src_kube/* describeRef */.Ro)({ kind: 'HorizontalPodAutoscaler', namespace, name: hpa.metadata.name }));
    }
    return found;
}
async function listAutoscalers(kube, namespace, log) {
    try {
        await kube.resource(HPA_API, 'HorizontalPodAutoscaler');
    }
    catch {
        log.debug(`The cluster does not serve ${HPA_API} HorizontalPodAutoscalers: no autoscaler is looked for.`);
        return [];
    }
    try {
        const items = await kube.list({ apiVersion: HPA_API, kind: 'HorizontalPodAutoscaler', namespace });
        return items.map(i => ({ ...i, metadata: { ...i.metadata, namespace } }));
    }
    catch (error) {
        if (!(error instanceof src_kube/* KubeError */.a3))
            throw error;
        log.warning(`Could not list the HorizontalPodAutoscalers in ${namespace} (${(0,errors/* describeError */.Uc)(error)}): spec.replicas is applied as the manifests say. Grant list on horizontalpodautoscalers so a deploy leaves an autoscaler's count alone.`);
        return [];
    }
}
/** The object without `spec.replicas`. */
function withoutReplicas(object) {
    const copy = structuredClone(object);
    const spec = copy.spec;
    if (spec)
        delete spec.replicas;
    return copy;
}
function replicasOf(object) {
    const replicas = object?.spec?.replicas;
    return typeof replicas === 'number' ? replicas : undefined;
}
/** True when `fieldManager` (applying) is the only owner of the live object's `spec.replicas`. */
function ownsReplicasAlone(live, fieldManager) {
    const owners = ownersOf(live, REPLICAS);
    return owners.length > 0 && owners.every(e => e.manager === fieldManager && e.operation === 'Apply');
}
/** The private field manager that holds the count while our manager lets go of it. */
function handoverManager(fieldManager) {
    return `${fieldManager}-handover-to-hpa`.slice(0, 128);
}
/**
 * Has the private manager apply the live count alone (see the top of this file), so our next apply without
 * `replicas` keeps it. A 409 means the autoscaler owns the field already.
 */
async function handOverReplicas(kube, live, fieldManager) {
    const replicas = replicasOf(live);
    if (replicas === undefined)
        return;
    const { apiVersion, kind } = live;
    const { name, namespace } = live.metadata;
    try {
        await kube.apply({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { replicas } }, { fieldManager: handoverManager(fieldManager) });
    }
    catch (error) {
        if (!(error instanceof src_kube/* KubeError */.a3 && error.status === 409))
            throw error;
    }
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/jobs.ts
/**
 * Jobs whose pod template changed. The API server refuses such an apply (422 Invalid, `spec.template: Invalid
 * value: …: field is immutable`): a Job runs once, and re-running a migration with a new image means a new Job.
 * A finished Job (Complete or Failed) is replaced: deleted with foreground propagation (its pods go first),
 * waited for until it is gone, then created anew, and waited for like any workload. A Job still running is
 * refused, since replacing it kills its pods mid-run, unless `replace-running-jobs` says to.
 */




/**
 * True when the API server refused a Job's apply only because immutable fields of its spec changed: every cause
 * is `field is immutable` on `spec.…`. Any other cause is a real problem of the manifest.
 */
function onlyImmutableSpec(error, object) {
    if (object.kind !== 'Job' || !(error instanceof src_kube/* KubeError */.a3) || error.status !== 422)
        return false;
    const causes = error.body.details?.causes ?? [];
    return (causes.length > 0 &&
        causes.every(c => (c.field ?? '').startsWith('spec.') && /field is immutable/.test(c.message ?? '')));
}
/** True when the Job has finished: its Complete or Failed condition is True. */
function finished(job) {
    const conditions = (job?.status?.conditions ??
        []);
    return conditions.some(c => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}
/** Why a running Job is not replaced, and what to do. */
function runningJobRefusal(job, source) {
    const active = job.status?.active ?? 0;
    const what = (0,src_kube/* describeRef */.Ro)({ kind: job.kind, namespace: job.metadata.namespace, name: job.metadata.name });
    return new errors/* DockyardError */.gt(`${what} (${source}) has not finished (${active} active pod${active === 1 ? '' : 's'}), and its spec changed: a Job's pod template cannot be changed in place, and replacing it would stop its pods mid-run.`, {
        input: 'replace-running-jobs',
        hint: 'Let it finish and deploy again (a finished Job is replaced), delete it yourself, or set replace-running-jobs: true to delete and recreate it now.'
    });
}
/** Deletes the live Job (foreground, this uid only) and waits until it is gone; the caller creates the new one. */
async function deleteAndWait(kube, live, options) {
    const ref = {
        apiVersion: live.apiVersion,
        kind: live.kind,
        namespace: live.metadata.namespace,
        name: live.metadata.name
    };
    const uid = live.metadata.uid;
    await kube.delete(ref, { propagationPolicy: 'Foreground', uid });
    const outcome = await (0,poll/* poll */.wt)({
        check: async () => {
            const now = await kube.get(ref);
            return !now || now.metadata.uid !== uid ? { done: true, value: true } : { done: false };
        },
        intervalMs: 500,
        timeoutMs: options.timeoutMs,
        clock: options.clock ?? poll/* systemClock */.ml,
        signal: options.signal,
        isRetryable: src_kube/* isRetryableKube */.YJ
    });
    if (outcome.kind === 'timeout')
        throw new errors/* DockyardError */.gt(`${(0,src_kube/* describeRef */.Ro)(ref)} was deleted to be replaced, but was still there after ${(0,duration/* formatDuration */.a)(options.timeoutMs)} (its pods are deleted first).`, {
            hint: `Look at its pods and their finalizers: kubectl get pods -n ${ref.namespace} -l job-name=${ref.name}`
        });
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/order.ts
/**
 * The order objects are applied in: Helm's install order (helm/helm pkg/release/v1/util/kind_sorter.go
 * `InstallOrder`), so what a pod needs (its namespace, ServiceAccount, ConfigMaps, Secrets) exists before the
 * workload that makes the pod. Kinds Helm does not list come last, by kind name, as Helm sorts them (custom
 * resources among them, after their CustomResourceDefinition). Objects of one kind keep their manifest order.
 */
const INSTALL_ORDER = [
    'PriorityClass',
    'Namespace',
    'NetworkPolicy',
    'ResourceQuota',
    'LimitRange',
    'PodSecurityPolicy',
    'PodDisruptionBudget',
    'ServiceAccount',
    'Secret',
    'SecretList',
    'ConfigMap',
    'StorageClass',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'CustomResourceDefinition',
    'ClusterRole',
    'ClusterRoleList',
    'ClusterRoleBinding',
    'ClusterRoleBindingList',
    'Role',
    'RoleList',
    'RoleBinding',
    'RoleBindingList',
    'Service',
    'DaemonSet',
    'Pod',
    'ReplicationController',
    'ReplicaSet',
    'Deployment',
    'HorizontalPodAutoscaler',
    'StatefulSet',
    'Job',
    'CronJob',
    'IngressClass',
    'Ingress',
    'APIService',
    'MutatingWebhookConfiguration',
    'ValidatingWebhookConfiguration'
];
const RANK = new Map(INSTALL_ORDER.map((kind, i) => [kind, i]));
/** `items` in install order (a stable sort: one kind keeps the order it was given in). */
function inInstallOrder(items, kindOf) {
    const ranked = items.map((item, index) => ({ item, index, kind: kindOf(item) }));
    ranked.sort((a, b) => {
        const ra = RANK.get(a.kind);
        const rb = RANK.get(b.kind);
        if (ra !== undefined && rb !== undefined)
            return ra - rb || a.index - b.index;
        if (ra !== undefined)
            return -1;
        if (rb !== undefined)
            return 1;
        return a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.index - b.index;
    });
    return ranked.map(r => r.item);
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/apply.ts
/**
 * Server-side apply of the rendered manifests, verified before anything is written.
 *
 * verify: every object, in Helm's install order (order.ts), is read and applied with a server-side dry run
 * (`dryRun=All`, `fieldValidation=Strict`): the API server runs its validation, defaulting and admission and
 * stores nothing. Every refusal is collected and reported at once, each naming the object, its manifest and the
 * server's message; only when all pass is anything written. An object in a Namespace the manifests create, or
 * of a kind a CustomResourceDefinition in them defines, cannot be checked before that exists: such Namespaces
 * and CRDs (checked themselves) are written first, then those objects are checked, and only then is anything
 * else written.
 *
 * write: in the same order, each object as checked: kubectl's client-side apply history moved to our field
 * manager first (ownership.ts), `spec.replicas` left to a HorizontalPodAutoscaler (autoscaler.ts), a finished Job
 * whose spec changed replaced (jobs.ts), each CRD waited for until Established. Each object is compared with what
 * the cluster held to say created, configured, unchanged or replaced; a dry run says what would change.
 * `Warning:` headers of the API server (deprecations, PodSecurity, admission webhooks) are printed once per object.
 */









const FIRST_WRITTEN = new Set(['Namespace', 'CustomResourceDefinition']);
/** verify: a server-side dry run of every object; throws every refusal at once. */
async function verifyAll(kube, manifests, options) {
    const plan = { items: [], autoscalers: new Map(), warned: new Set() };
    for (const m of inInstallOrder(manifests, x => x.object.kind))
        plan.items.push({
            source: m.source,
            object: structuredClone(m.object),
            ref: refOf(m.object),
            clientSide: []
        });
    const ctx = {
        kube,
        options,
        plan,
        manifests,
        autoscalers: new Map(),
        newNamespaces: new Set(),
        crdsPending: true,
        refusals: [],
        refused: new Set()
    };
    for (const item of plan.items)
        await settleNamespace(ctx, item);
    plan.autoscalers = ctx.autoscalers = await findAutoscalers(kube, plan.items.map(i => i.object), { log: options.log });
    for (const item of plan.items) {
        if (options.signal?.aborted)
            break;
        await checkOne(ctx, item);
    }
    throwRefusals(ctx.refusals, plan.items.length, 'nothing was written');
    return plan;
}
/** write: every object as checked (see the top of this file). A dry run writes nothing and reports the check. */
async function writeAll(kube, plan, options) {
    if (options.dryRun)
        return plan.items.map(item => dryRunResult(item, options.log));
    const first = plan.items.filter(i => FIRST_WRITTEN.has(i.object.kind));
    const rest = plan.items.filter(i => !FIRST_WRITTEN.has(i.object.kind));
    const applied = [];
    for (const item of first) {
        if (options.signal?.aborted)
            return applied;
        applied.push(await writeOne(kube, item, plan, options));
    }
    await checkDeferred(kube, plan, rest, options);
    for (const item of rest) {
        if (options.signal?.aborted)
            return applied;
        applied.push(await writeOne(kube, item, plan, options));
    }
    return applied;
}
function refOf(object) {
    return {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name
    };
}
/** The CustomResourceDefinition among the manifests that defines the object's kind. */
function definingCrd(manifests, object) {
    const group = (0,src_kube/* groupOf */.F8)(object.apiVersion);
    return manifests.find(m => {
        const spec = m.object.spec;
        return (m.object.kind === 'CustomResourceDefinition' &&
            spec?.group === group &&
            spec?.names?.kind === object.kind);
    })?.object;
}
/**
 * Sets the object's namespace (the `namespace` input when a namespaced object names none; none for a cluster-scoped
 * one), from discovery, or, for a kind a CRD of these manifests defines, from that CRD's scope.
 */
async function settleNamespace(ctx, item) {
    const { object } = item;
    let namespaced;
    try {
        namespaced = (await ctx.kube.resource(object.apiVersion, object.kind)).namespaced;
    }
    catch (error) {
        const crd = ctx.crdsPending ? definingCrd(ctx.manifests, object) : undefined;
        if (!crd)
            return refuse(ctx, item, error);
        namespaced = crd.spec?.scope !== 'Cluster';
        item.deferred = 'crd';
    }
    if (namespaced)
        object.metadata.namespace ??= ctx.options.namespace;
    else
        delete object.metadata.namespace;
    item.ref = refOf(object);
}
/**
 * Records a refusal of the API server (an error answer, or a kind discovery says it does not serve) for the
 * object; anything else (the server unreachable, a cancel) is the deploy's failure and is thrown.
 */
function refuse(ctx, item, error) {
    const unserved = error instanceof errors/* DockyardError */.gt && error.input === 'manifests';
    if (!(error instanceof src_kube/* KubeError */.a3 || unserved))
        throw error;
    ctx.refusals.push(unserved
        ? new errors/* DockyardError */.gt(`${(0,src_kube/* describeRef */.Ro)(item.ref)} (${item.source}): ${error.message}`, {
            input: error.input,
            hint: error.hint,
            cause: error
        })
        : explainApplyError(error, item.object, item.source));
    ctx.refused.add(item);
}
/**
 * Checks one object: reads it, and applies it with a server-side dry run. What cannot be checked yet is left
 * deferred; a refusal is recorded, and anything that is not an answer of the API server (a network failure, a
 * cancel) is thrown.
 */
async function checkOne(ctx, item) {
    const { kube, options } = ctx;
    if (ctx.refused.has(item) || item.deferred === 'crd')
        return;
    if (item.ref.namespace && ctx.newNamespaces.has(item.ref.namespace))
        return void (item.deferred = 'namespace');
    item.deferred = undefined;
    try {
        item.before = await kube.get(item.ref);
        maskSecret(item.object, options.log);
        maskSecret(item.before, options.log);
        leaveReplicas(ctx, item);
        item.clientSide = clientSideManagers(item.before);
        item.expected = await dryRunApply(ctx, item);
    }
    catch (error) {
        if (onlyImmutableSpec(error, item.object) && item.before)
            return checkJobReplacement(ctx, item);
        return refuse(ctx, item, error);
    }
    if (item.object.kind === 'Namespace' && !item.before)
        ctx.newNamespaces.add(item.ref.name);
}
/** An autoscaled object: spec.replicas is not applied (kept only to create it), and that is said once. */
function leaveReplicas(ctx, item) {
    const autoscaler = ctx.autoscalers.get((0,src_kube/* refKey */.XF)(item.ref));
    if (!autoscaler || item.autoscaler)
        return;
    item.autoscaler = autoscaler;
    item.replicas = replicasOf(item.object);
    if (item.replicas === undefined)
        return;
    item.object = withoutReplicas(item.object);
    ctx.options.log.info(`${(0,src_kube/* describeRef */.Ro)(item.ref)}: spec.replicas belongs to ${autoscaler}; the manifest's ${item.replicas} is not applied${item.before ? '' : ' (only to create it)'}.`);
}
/**
 * The dry run of one object. An autoscaled object is checked with its live count (what the write leaves in
 * place). A conflict only with kubectl's client-side apply managers, whose fields the write moves to ours first,
 * is checked again with force, which is what the apply after that move does.
 */
async function dryRunApply(ctx, item) {
    const { kube, options } = ctx;
    const live = replicasOf(item.before) ?? item.replicas;
    const body = item.autoscaler && live !== undefined
        ? { ...item.object, spec: { ...item.object.spec, replicas: live } }
        : item.object;
    const apply = (force) => kube.apply(body, {
        fieldManager: options.fieldManager,
        force,
        dryRun: true,
        onWarning: text => warn(ctx.plan, item.ref, text, options.log)
    });
    try {
        return await apply(options.force);
    }
    catch (error) {
        if (!conflictsOnlyWith(error, item.clientSide))
            throw error;
        return apply(true);
    }
}
/** True for a 409 whose every conflict is with one of `managers`. */
function conflictsOnlyWith(error, managers) {
    if (!(error instanceof src_kube/* KubeError */.a3) || error.status !== 409 || managers.length === 0)
        return false;
    const causes = error.body.details?.causes ?? [];
    return (causes.length > 0 &&
        causes.every(c => managers.includes(/conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? '')));
}
/** A Job whose spec changed: replaced when it has finished (or when running ones may be), else refused. */
async function checkJobReplacement(ctx, item) {
    if (!finished(item.before) && !ctx.options.replaceRunningJobs) {
        ctx.refusals.push(runningJobRefusal(item.before, item.source));
        ctx.refused.add(item);
        return;
    }
    try {
        await ctx.kube.delete(item.ref, { dryRun: true, propagationPolicy: 'Foreground' });
        item.replace = true;
    }
    catch (error) {
        refuse(ctx, item, error);
    }
}
/** Prints a `Warning:` header of the API server once per object. */
function warn(plan, ref, text, log) {
    const key = `${(0,src_kube/* refKey */.XF)(ref)} ${text}`;
    if (plan.warned.has(key))
        return;
    plan.warned.add(key);
    log.warning(`${(0,src_kube/* describeRef */.Ro)(ref)}: ${(0,core_text/* oneLine */.TN)(text, { max: 500 })}`);
}
/** Every refusal at once; one alone keeps its own input and hint. */
function throwRefusals(refusals, total, written) {
    if (refusals.length === 0)
        return;
    const problems = refusals.map(r => r instanceof errors/* DockyardError */.gt ? r : new errors/* DockyardError */.gt(String(r?.message ?? r), { cause: r }));
    if (problems.length === 1) {
        const [p] = problems;
        throw new errors/* DockyardError */.gt(`${p.message} (Checked with a server-side dry run: ${written}.)`, {
            input: p.input,
            hint: p.hint,
            cause: p
        });
    }
    const inputs = new Set(problems.map(p => p.input));
    throw new errors/* DockyardError */.gt(`${problems.length} of ${total} objects were refused by the server-side dry run, so ${written}:\n${problems.map(p => `  - ${p.describe()}`).join('\n')}`, { input: inputs.size === 1 ? problems[0].input : 'manifests' });
}
/**
 * The objects that could not be checked before their Namespace or CRD existed, checked now that those are
 * written (and discovery asked again), before anything else is.
 */
async function checkDeferred(kube, plan, items, options) {
    const deferred = items.filter(i => i.deferred);
    if (deferred.length === 0)
        return;
    const ctx = {
        kube,
        options,
        plan,
        manifests: [],
        autoscalers: plan.autoscalers,
        newNamespaces: new Set(),
        crdsPending: false,
        refusals: [],
        refused: new Set()
    };
    for (const item of deferred) {
        item.deferred = undefined;
        await settleNamespace(ctx, item);
    }
    for (const item of deferred)
        await checkOne(ctx, item);
    throwRefusals(ctx.refusals, deferred.length, 'only the Namespaces and CustomResourceDefinitions they need were written');
}
/**
 * Writes one checked object: its client-side apply history moved to us, `spec.replicas` handed to its
 * autoscaler, a changed Job deleted; then the apply, and for a CRD the wait until it is Established.
 */
async function writeOne(kube, item, plan, options) {
    const { fieldManager, log } = options;
    let live = item.before;
    if (live && item.clientSide.length > 0) {
        live = await migrateClientSideApply(kube, live, fieldManager);
        log.info(`${(0,src_kube/* describeRef */.Ro)(item.ref)}: the fields of kubectl's client-side apply (${item.clientSide.join(', ')}) are now ${fieldManager}'s, as kubectl apply --server-side moves them.`);
    }
    if (live && item.autoscaler && ownsReplicasAlone(live, fieldManager))
        await handOverReplicas(kube, live, fieldManager);
    if (live && item.replace) {
        await deleteAndWait(kube, live, {
            timeoutMs: options.jobDeleteTimeoutMs ?? 120_000,
            clock: options.clock,
            signal: options.signal
        });
        live = undefined;
    }
    const created = !live;
    const body = created && item.autoscaler && item.replicas !== undefined
        ? { ...item.object, spec: { ...item.object.spec, replicas: item.replicas } }
        : item.object;
    let answer;
    try {
        answer = await kube.apply(body, {
            fieldManager,
            force: options.force,
            onWarning: text => warn(plan, item.ref, text, log)
        });
    }
    catch (error) {
        throw explainApplyError(error, item.object, item.source);
    }
    if (created && body !== item.object)
        await handOverReplicas(kube, answer, fieldManager);
    if (item.object.kind === 'CustomResourceDefinition')
        await waitEstablished(kube, item.object, options);
    const result = resultOf(item, answer);
    log.info(`${(0,src_kube/* describeRef */.Ro)(item.ref)} ${result.action}`);
    return { sent: item.object, live: answer, before: item.before, result };
}
const REPLACED = "its spec changed, and a Job's spec cannot be changed in place: deleted and created again";
/** What happened to one object: replaced, created, configured (with what changed) or unchanged. */
function resultOf(item, after) {
    const found = item.replace ? [REPLACED] : item.before ? changes(item.before, after) : [];
    const action = item.replace
        ? 'replaced'
        : !item.before
            ? 'created'
            : found.length === 0
                ? 'unchanged'
                : 'configured';
    const result = { ...item.ref, action, ...(found.length ? { changes: found } : {}) };
    if (!result.namespace)
        delete result.namespace;
    return result;
}
/** A dry run's report of one object: what the check found, nothing written. */
function dryRunResult(item, log) {
    const object = item.object;
    if (item.deferred) {
        const why = item.deferred === 'crd'
            ? 'its CustomResourceDefinition is not installed yet'
            : `namespace ${item.ref.namespace} does not exist yet`;
        const result = { ...item.ref, action: 'created' };
        if (!result.namespace)
            delete result.namespace;
        log.info(`${(0,src_kube/* describeRef */.Ro)(item.ref)} created (dry run; not checked: ${why})`);
        return { sent: object, live: object, result };
    }
    const live = item.expected ?? object;
    const result = resultOf(item, live);
    log.info(`${(0,src_kube/* describeRef */.Ro)(item.ref)} ${result.action} (dry run)`);
    for (const c of result.changes ?? [])
        log.info(`    ${c}`);
    return { sent: object, live, before: item.before, result };
}
async function waitEstablished(kube, crd, options) {
    const timeoutMs = options.crdTimeoutMs ?? 60_000;
    const outcome = await (0,poll/* poll */.wt)({
        check: async () => {
            const live = await kube.get(refOf(crd));
            const ok = live?.status?.conditions?.some(c => c.type === 'Established' && c.status === 'True');
            return ok ? { done: true, value: true } : { done: false };
        },
        intervalMs: 500,
        timeoutMs,
        clock: options.clock ?? poll/* systemClock */.ml,
        signal: options.signal,
        isRetryable: src_kube/* isRetryableKube */.YJ
    });
    if (outcome.kind === 'timeout')
        throw new errors/* DockyardError */.gt(`CustomResourceDefinition ${crd.metadata.name} did not become Established within ${Math.round(timeoutMs / 1000)} s.`, {
            input: 'manifests',
            hint: 'Check the CRD with kubectl describe crd; its kinds cannot be applied before it is Established.'
        });
}
/** An API server message, cut to a line a reader can take in (a Job template's %#v dump runs to kilobytes). */
const said = (text) => (0,core_text/* oneLine */.TN)(text ?? '', { max: 400 });
/** The unknown fields of a server-side apply the schema refused (`failed to create typed patch object`). */
function undeclaredFields(message) {
    return [...message.matchAll(/(\S+): field not declared in schema/g)].map(m => m[1]);
}
/** Turns an apply failure into a message that names the object and, for a conflict, the other manager and field. */
function explainApplyError(error, object, source) {
    if (!(error instanceof src_kube/* KubeError */.a3))
        return error;
    const what = `${(0,src_kube/* describeRef */.Ro)({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name })} (${source})`;
    const message = error.body.message ?? error.message;
    const unknown = undeclaredFields(message);
    if (unknown.length > 0)
        return new errors/* DockyardError */.gt(`${what}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (not in the schema of ${object.apiVersion} ${object.kind}).`, {
            input: 'manifests',
            hint: `Check the spelling (kubectl explain ${object.kind.toLowerCase()}.spec), and that the field belongs to this apiVersion and the cluster's Kubernetes version.`,
            cause: error
        });
    if (error.status === 409)
        return conflictError(error, what);
    if (error.status === 403)
        return new errors/* DockyardError */.gt((0,core_text/* sentence */.em)(`${what}: the cluster forbids it: ${said(message)}`), {
            hint: "Grant the deploying identity's Kubernetes user or group the RBAC the deploy-eks README lists (get, list, patch, create, delete on these kinds).",
            cause: error
        });
    if (error.status === 404 || error.status === 422 || error.status === 400)
        return new errors/* DockyardError */.gt((0,core_text/* sentence */.em)(`${what} was refused: ${refusalText(error)}`), {
            input: 'manifests',
            hint: 'Fix the manifest.',
            cause: error
        });
    return error;
}
/** A 422's causes (`field: message`), or the message. */
function refusalText(error) {
    const causes = (error.body.details?.causes ?? []).filter(c => c.field || c.message);
    if (causes.length === 0)
        return said(error.body.message ?? error.message);
    return causes.map(c => said(`${c.field ? `${c.field}: ` : ''}${c.message ?? ''}`)).join('; ');
}
function conflictError(error, what) {
    const causes = (error.body.details?.causes ?? []).filter(c => c.type === 'FieldManagerConflict' || c.field);
    const parts = causes.map(c => `${c.field ?? '?'} is owned by ${/"([^"]+)"/.exec(c.message ?? '')?.[1] ?? c.message ?? 'another manager'}`);
    return new errors/* DockyardError */.gt(`${what}: field-manager conflict: ${parts.length ? parts.join('; ') : said(error.body.message ?? 'conflict')}.`, {
        input: 'force-conflicts',
        hint: 'Another tool set these fields. Remove them from the manifest, let that tool stop managing them, or set force-conflicts: true to take them over.',
        cause: error
    });
}

// EXTERNAL MODULE: ./core/aws.ts
var core_aws = __webpack_require__(2849);
// EXTERNAL MODULE: ./actions/deploy-eks/src/token.ts
var src_token = __webpack_require__(6180);
;// CONCATENATED MODULE: ./actions/deploy-eks/src/access.ts




/** A token made on demand, kept for `refreshMs`, and made again at once when `fresh` is asked (after a 401). */
function cachedToken(make, clock = poll/* systemClock */.ml, refreshMs = src_token/* TOKEN_REFRESH_MS */.FD) {
    let current;
    const source = {
        made: 0,
        async token(fresh = false) {
            if (!current || fresh || clock.now() - current.at >= refreshMs) {
                current = { token: await make(), at: clock.now() };
                source.made++;
            }
            return current.token;
        }
    };
    return source;
}
/** The EKS token for a cluster, masked before anything can print it. */
function eksTokenSource(cluster, region, aws, options) {
    return cachedToken(async () => {
        const token = await (0,src_token/* eksToken */.jO)({ cluster, region, credentials: aws.credentials });
        options.mask(token);
        return token;
    }, options.clock ?? poll/* systemClock */.ml);
}
/** An assumed-role session ARN becomes the role ARN an access entry names. */
function principalArn(arn) {
    const m = /^arn:(aws[\w-]*):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(arn);
    return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}
const REFUSED = 'The cluster refused the token twice (HTTP 401 Unauthorized)';
function accessEntryHint(principal) {
    return `Give that identity access to the cluster: an EKS access entry (aws eks create-access-entry --principal-arn ${principal} and an access policy or Kubernetes groups allowed to apply these objects), or a mapping in the aws-auth ConfigMap. See the RBAC section of the deploy-eks README.`;
}
function expired(at) {
    return new errors/* DockyardError */.gt(`${REFUSED}: the AWS credentials it was signed with have expired${at ? ` (at ${at.toISOString()})` : ''}.`, {
        hint: "Credentials set by an earlier step (aws-actions/configure-aws-credentials) last for its role-duration-seconds (1 hour by default) and this step cannot renew them: make them outlast the step's timeout, or give 'role-arn', whose credentials Dockyard renews before they expire."
    });
}
/**
 * Why the cluster refused a fresh EKS token, found out rather than guessed: credentials that could not be
 * renewed, credentials that have expired (their expiry, or STS saying so), or an identity the cluster does not
 * know (named by GetCallerIdentity, with the access entry to create).
 */
async function explainRefusedToken(aws, clock = poll/* systemClock */.ml) {
    let expiration;
    try {
        expiration = (await aws.credentials()).expiration;
    }
    catch (error) {
        return new errors/* DockyardError */.gt(`${REFUSED}, and no AWS credentials could be had to sign another: ${(0,errors/* describeError */.Uc)(error)}`, {
            cause: error
        });
    }
    if (expiration && expiration.getTime() <= clock.now())
        return expired(expiration);
    let arn;
    try {
        arn = await aws.callerArn();
    }
    catch (error) {
        if ((0,core_aws/* isExpiredCredentials */.CW)(error))
            return expired(expiration);
        return new errors/* DockyardError */.gt(`${REFUSED}: it does not know these AWS credentials (STS could not say whose they are: ${(0,errors/* describeError */.Uc)(error)}).`, { hint: accessEntryHint('<the role ARN>'), cause: error });
    }
    return new errors/* DockyardError */.gt(`${REFUSED}: it does not know ${arn}.`, {
        hint: accessEntryHint(principalArn(arn))
    });
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./core/inputs.ts
var inputs = __webpack_require__(31);
;// CONCATENATED MODULE: ./actions/deploy-eks/src/kubeconfig.ts
/**
 * The cluster from a kubeconfig: its current context's server and CA (the only one trusted), and its user's
 * token, client certificate, or `aws eks get-token` / `aws-iam-authenticator token` exec, which Dockyard does not
 * run but replaces with its own token for the same cluster and region.
 */







function kubeconfig_refuse(message, hint) {
    throw new errors/* DockyardError */.gt(message, { input: 'kubeconfig', hint });
}
/** `--name value` or `--name=value` from an exec's arguments. */
function argValue(args, ...names) {
    for (let i = 0; i < args.length; i++) {
        for (const n of names) {
            if (args[i] === n)
                return args[i + 1];
            if (args[i].startsWith(`${n}=`))
                return args[i].slice(n.length + 1);
        }
    }
    return undefined;
}
/** The current context (else the first), its cluster entry and its user. */
function currentContext(config, file) {
    const contextName = config['current-context'] || config.contexts?.[0]?.name;
    const context = config.contexts?.find(c => c.name === contextName)?.context;
    if (!context)
        kubeconfig_refuse(`${file} has no context '${contextName ?? ''}'.`, 'Set current-context to one of its contexts.');
    const cluster = config.clusters?.find(c => c.name === context.cluster)?.cluster;
    if (!cluster?.server)
        kubeconfig_refuse(`${file}: cluster '${context.cluster ?? ''}' has no server.`, 'Each cluster entry needs server and certificate-authority-data.');
    if (cluster['insecure-skip-tls-verify'])
        kubeconfig_refuse(`${file}: insecure-skip-tls-verify is set; Dockyard verifies the API server against the cluster's CA only.`, "Give the cluster's CA in certificate-authority-data.");
    const user = config.users?.find(u => u.name === context.user)?.user ?? {};
    return {
        clusterName: context.cluster ?? 'cluster',
        userName: context.user ?? '',
        server: cluster.server,
        cluster,
        user
    };
}
/** The CA: inline data, or a file next to the kubeconfig (inside the workspace, like the kubeconfig itself). */
function readCa(cluster, clusterName, path, options, read) {
    const file = (0,external_node_path_.basename)(path);
    if (cluster['certificate-authority-data'])
        return Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
    const caFile = cluster['certificate-authority'];
    if (!caFile)
        kubeconfig_refuse(`${file}: cluster '${clusterName}' has no CA.`, "Add certificate-authority-data: Dockyard trusts the cluster's CA only, never the system CAs.");
    const full = (0,external_node_path_.resolve)((0,external_node_path_.dirname)(path), caFile);
    if (options.workspace)
        (0,inputs/* resolveInsideWorkspace */.sv)('kubeconfig', (0,external_node_path_.relative)(options.workspace, full), {
            workspace: options.workspace,
            kind: 'file'
        });
    try {
        return read(full);
    }
    catch {
        return kubeconfig_refuse(`${file}: cannot read certificate-authority ${caFile}.`, 'Use certificate-authority-data, or a CA file inside the workspace.');
    }
}
/** An `aws eks get-token` or `aws-iam-authenticator token` exec, replaced by Dockyard's own EKS token. */
function execAuth(exec, userName, file, options) {
    const command = (0,external_node_path_.basename)(exec.command ?? '');
    const args = exec.args ?? [];
    let clusterName;
    if (command === 'aws' && args.includes('get-token'))
        clusterName = argValue(args, '--cluster-name', '--cluster-id');
    else if (command === 'aws-iam-authenticator' && args.includes('token'))
        clusterName = argValue(args, '-i', '--cluster-id');
    else
        kubeconfig_refuse(`${file}: user '${userName}' runs '${exec.command}', which Dockyard does not run.`, 'Use a token, a client certificate, or the `aws eks get-token` exec (Dockyard makes that token itself).');
    if (!clusterName)
        kubeconfig_refuse(`${file}: the get-token exec names no cluster.`, 'Add --cluster-name <name> to its args.');
    const envRegion = exec.env?.find(e => e.name === 'AWS_REGION' || e.name === 'AWS_DEFAULT_REGION')?.value;
    const region = argValue(args, '--region') ?? envRegion ?? options.region;
    if (!region)
        kubeconfig_refuse(`${file}: no region for the EKS token.`, "Add --region to the exec args, or set the 'region' input.");
    const aws = options.aws?.(region);
    if (!aws)
        kubeconfig_refuse('an EKS token needs AWS credentials.', 'Configure AWS credentials before this step.');
    const clock = options.clock ?? poll/* systemClock */.ml;
    return {
        auth: eksTokenSource(clusterName, region, aws, { clock, mask: options.mask ?? (() => { }) }),
        explainUnauthorized: () => explainRefusedToken(aws, clock)
    };
}
/** The user's own credentials: a static token or a client certificate, and what to say when they are refused. */
function staticAuth(user, userName, file) {
    const connection = {};
    if (user['client-certificate-data'] && user['client-key-data']) {
        connection.clientCert = Buffer.from(user['client-certificate-data'], 'base64').toString('utf8');
        connection.clientKey = Buffer.from(user['client-key-data'], 'base64').toString('utf8');
    }
    const token = user.token;
    if (token)
        connection.auth = { token: async () => token };
    const what = token ? 'token' : 'client certificate';
    connection.explainUnauthorized = async () => new errors/* DockyardError */.gt(`The cluster refused the ${what} of user '${userName}' in ${file} (HTTP 401 Unauthorized).`, {
        input: 'kubeconfig',
        hint: `The ${what} is not valid for this cluster, or has expired or been revoked: give a current one.`
    });
    return connection;
}
function clusterFromKubeconfig(path, options) {
    const read = options.readFile ?? ((p) => (0,external_node_fs_.readFileSync)(p, 'utf8'));
    const file = (0,external_node_path_.basename)(path);
    let config;
    try {
        config = (0,dist/* parse */.qg)(read(path));
    }
    catch (error) {
        return kubeconfig_refuse(`${file} is not a readable kubeconfig (${error.message.split('\n')[0]}).`, 'Give a kubeconfig YAML file.');
    }
    if (!config || typeof config !== 'object')
        kubeconfig_refuse(`${file} is empty.`, 'Give a kubeconfig YAML file.');
    const { clusterName, userName, server, cluster, user } = currentContext(config, file);
    const ca = readCa(cluster, clusterName, path, options, read);
    const connection = {
        server,
        ca,
        ...staticAuth(user, userName, file),
        ...(!user.token && user.exec ? execAuth(user.exec, userName, file, options) : {})
    };
    const secrets = [user.token, user['client-key-data'], connection.clientKey].filter((v) => !!v);
    return { name: clusterName, server, via: 'kubeconfig', connection, secrets };
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/cluster.ts




/** DescribeCluster's answer, or the `cluster` input's error when there is no usable cluster of that name. */
async function describeActiveCluster(name, region, aws) {
    let cluster;
    try {
        cluster = await aws.describeCluster(name);
    }
    catch (error) {
        if (error?.name !== 'ResourceNotFoundException')
            throw error;
    }
    if (!cluster)
        throw new errors/* DockyardError */.gt(`no EKS cluster '${name}' in ${region}.`, {
            input: 'cluster',
            hint: "Check the name and the 'region' input (aws eks list-clusters --region <region>)."
        });
    if (cluster.status && !['ACTIVE', 'UPDATING'].includes(cluster.status))
        throw new errors/* DockyardError */.gt(`the EKS cluster '${name}' is ${cluster.status}, not ACTIVE.`, {
            input: 'cluster',
            hint: 'Wait until the cluster is ACTIVE, then run the deployment again.'
        });
    const endpoint = cluster.endpoint;
    const ca = cluster.certificateAuthority?.data;
    if (!endpoint || !ca)
        throw new errors/* DockyardError */.gt(`EKS did not return an endpoint and CA for '${name}'.`, {
            input: 'cluster',
            hint: 'The cluster may still be creating; check it in the EKS console.'
        });
    return { endpoint, ca, vpc: cluster.resourcesVpcConfig };
}
/**
 * What the endpoint access settings mean for this runner, said when a connection fails. A private-only endpoint
 * is tried (a runner in the VPC, such as actions-runner-controller on the cluster itself, reaches it); public
 * access limited to CIDRs is warned about at once, since a GitHub-hosted runner is rarely inside them.
 */
function endpointReachHint(name, vpc, log) {
    if (vpc?.endpointPublicAccess === false) {
        log.info(`Cluster ${name}: the API endpoint is private only (endpointPublicAccess: false), reachable from inside the cluster's VPC or a network connected to it; trying it.`);
        return `The API endpoint of '${name}' is private only (endpointPublicAccess: false): only a runner inside the cluster's VPC or a network connected to it (peering, Transit Gateway, VPN) reaches it, and a GitHub-hosted runner does not. Run this job on a self-hosted runner there (actions-runner-controller on a cluster in that VPC works), or turn on public access for the runner's addresses (aws eks update-cluster-config --name ${name} --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=<runner CIDR>).`;
    }
    const cidrs = vpc?.publicAccessCidrs ?? [];
    if (cidrs.length === 0 || cidrs.includes('0.0.0.0/0'))
        return undefined;
    const advice = "a GitHub-hosted runner is outside those unless you added its address. Use a self-hosted runner inside one of them, or add the runner's egress CIDR to publicAccessCidrs.";
    log.warning(`Cluster ${name}: public access is limited to ${cidrs.join(', ')}. ${advice}`);
    return `The public endpoint of '${name}' accepts only ${cidrs.join(', ')}: ${advice}`;
}
/** The cluster from EKS: endpoint, CA, the token for it, and what to say if the endpoint cannot be reached. */
async function clusterFromEks(name, region, aws, options) {
    const { endpoint, ca, vpc } = await describeActiveCluster(name, region, aws);
    const clock = options.clock ?? poll/* systemClock */.ml;
    return {
        name,
        server: endpoint,
        via: 'eks',
        connection: {
            server: endpoint,
            ca: Buffer.from(ca, 'base64').toString('utf8'),
            auth: eksTokenSource(name, region, aws, { clock, mask: secret => options.log.mask(secret) }),
            explainUnauthorized: () => explainRefusedToken(aws, clock),
            reachHint: endpointReachHint(name, vpc, options.log)
        }
    };
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/diagnose.ts
/** The kubelet's pull error when the image (or its tag) does not exist: containerd `not found`, a registry's `manifest unknown`. */
const IMAGE_NOT_FOUND = /\bnot found\b|manifest unknown/i;
/** A quota refusal depends on what else runs: pods going away free it. */
const QUOTA_EXCEEDED = /exceeded quota/i;
/** Events that say a node is being made for a pod: Karpenter / EKS Auto Mode, the Cluster Autoscaler. */
const PROVISIONING = new Set(['Nominated', 'TriggeredScaleUp']);
const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff']);
/** Waiting reasons of a container on its normal way up. */
const STARTING = new Set(['ContainerCreating', 'PodInitializing']);
/** Waiting reasons the kubelet retries by itself, and which can clear (the object or the runtime comes back). */
const MAY_HEAL = new Set([
    'CreateContainerConfigError',
    'CreateContainerError',
    'RunContainerError',
    'PreStartHookError',
    'PostStartHookError',
    'ImageInspectError',
    'RegistryUnavailable'
]);
/** The image reference itself is wrong: the same for every pod. */
const BAD_IMAGE = new Set(['InvalidImageName', 'ErrImageNeverPull']);
/** When an event last happened (the newest of the times the two event APIs write). */
const eventTime = (e) => e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    e.metadata?.creationTimestamp ??
    '';
/**
 * The events about one object, oldest first. Its kind is given: the items of a list carry none (the API server
 * encodes typed lists so). Matched by uid when the event names one: a StatefulSet's pod names come back.
 */
function eventsOf(events, kind, object) {
    return events
        .filter(e => e.involvedObject?.kind === kind &&
        e.involvedObject.name === object.metadata.name &&
        (!e.involvedObject.uid || !object.metadata.uid || e.involvedObject.uid === object.metadata.uid))
        .sort((a, b) => eventTime(a).localeCompare(eventTime(b)));
}
/** Why the kubelet could not pull: its waiting message, or for a back-off (which says only that) its last Failed event. */
function pullMessage(pod, c, events) {
    const message = c.state?.waiting?.message;
    if (c.state?.waiting?.reason === 'ErrImagePull' || !events)
        return message;
    const image = c.image ?? '';
    const failed = eventsOf(events, 'Pod', pod)
        .filter(e => e.type === 'Warning' && (e.message ?? '').startsWith(`Failed to pull image "${image}"`))
        .at(-1);
    return failed?.message ?? message;
}
/** The kind of a container's waiting reason; undefined for a container on its normal way up. */
function waitingKind(reason, message, context) {
    if (STARTING.has(reason))
        return undefined;
    if (reason === 'CrashLoopBackOff')
        return { kind: context.job ? 'waiting' : 'doomed' };
    if (BAD_IMAGE.has(reason))
        return { kind: 'doomed', everyPod: true };
    if (PULL_REASONS.has(reason))
        return IMAGE_NOT_FOUND.test(message ?? '')
            ? { kind: 'doomed', everyPod: true }
            : { kind: 'may-heal' };
    return { kind: MAY_HEAL.has(reason) ? 'may-heal' : 'waiting' };
}
function containerProblems(pod, context) {
    const images = new Map((pod.spec?.containers ?? []).map(c => [c.name, c.image]));
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const problems = [];
    for (const c of statuses) {
        const reason = c.state?.waiting?.reason;
        if (!reason)
            continue;
        const message = PULL_REASONS.has(reason)
            ? pullMessage(pod, c, context.events)
            : c.state?.waiting?.message;
        const kind = waitingKind(reason, message, context);
        if (!kind)
            continue;
        const last = c.lastState?.terminated ?? c.state?.terminated;
        problems.push({
            pod: pod.metadata.name,
            container: c.name,
            image: c.image ?? images.get(c.name),
            reason,
            message,
            exitCode: reason === 'CrashLoopBackOff' ? last?.exitCode : undefined,
            restarts: c.restartCount ?? 0,
            ...kind
        });
    }
    return problems;
}
/** A node on its way for the pod: a preemption's nominated node, or a provisioner's event. */
function nodeOnItsWay(pod, events) {
    if (pod.status?.nominatedNodeName)
        return `nominated node ${pod.status.nominatedNodeName}`;
    const event = eventsOf(events ?? [], 'Pod', pod)
        .filter(e => PROVISIONING.has(e.reason ?? ''))
        .at(-1);
    return event ? `${event.reason}: ${event.message ?? ''}` : undefined;
}
/** The problems of one new pod, each with its kind (see the top of this file). */
function podProblems(pod, context = {}) {
    const problems = containerProblems(pod, context);
    const scheduled = pod.status?.conditions?.find(c => c.type === 'PodScheduled');
    if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
        const provisioning = nodeOnItsWay(pod, context.events);
        problems.push({
            pod: pod.metadata.name,
            reason: 'Unschedulable',
            message: provisioning
                ? `${scheduled.message ?? ''} (a node is on its way: ${provisioning})`
                : scheduled.message,
            restarts: 0,
            kind: provisioning ? 'waiting' : 'may-heal'
        });
    }
    return problems;
}
/**
 * Whether the events would change what the pods' problems say: an ImagePullBackOff (whose message does not
 * say why the pull failed) or an Unschedulable pod (a node may be on its way).
 */
function needsEvents(problems) {
    return problems.some(p => (p.reason === 'ImagePullBackOff' && p.kind !== 'doomed') ||
        (p.reason === 'Unschedulable' && p.kind === 'may-heal'));
}
/**
 * The workload's own problem when its controller cannot create pods (admission refused them: a quota,
 * PodSecurity, a webhook, a missing ServiceAccount). Certain for every pod, except a quota exceeded while
 * pods of the workload are still going away (they free it).
 */
function failedCreate(message, podsTerminating) {
    const mayHeal = QUOTA_EXCEEDED.test(message) && podsTerminating;
    return {
        reason: 'FailedCreate',
        message,
        restarts: 0,
        kind: mayHeal ? 'may-heal' : 'doomed',
        everyPod: !mayHeal
    };
}
/**
 * The controller's latest FailedCreate event for a StatefulSet, DaemonSet or Job, when it is newer than the
 * newest of its pods (an older one was followed by a pod that could be made). Its message without the
 * controller's prefix (`Error creating: `).
 */
function latestFailedCreate(events, workload, pods) {
    const event = eventsOf(events, workload.kind, workload)
        .filter(e => e.type === 'Warning' && e.reason === 'FailedCreate')
        .at(-1);
    if (!event)
        return undefined;
    const newestPod = pods
        .map(p => p.metadata.creationTimestamp ?? '')
        .sort()
        .at(-1) ?? '';
    if (eventTime(event) < newestPod)
        return undefined;
    return (event.message ?? '').replace(/^Error creating: /, '');
}
/** Which problems are the same problem over time: a pull error alternates ErrImagePull and ImagePullBackOff. */
function problemKey(p) {
    const family = PULL_REASONS.has(p.reason) ? 'pull' : p.reason;
    return `${p.pod ?? ''}/${p.container ?? ''}/${family}`;
}
function containerReady(pods, pod, container) {
    const p = pods.find(x => x.metadata.name === pod);
    if (!p)
        return true;
    const all = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
    const c = all.find(x => x.name === container);
    return c?.ready === true || c?.state?.terminated?.exitCode === 0;
}
/**
 * Decides, poll by poll, whether a workload's problems fail it now: at once when a problem dooms every pod of
 * the template or every new pod is doomed; else when the same problem has stayed on a pod past its grace.
 */
class FailureJudge {
    grace;
    /** When each problem was first seen (by problemKey), on the caller's clock. */
    since = new Map();
    constructor(grace) {
        this.grace = grace;
    }
    /** The problem that fails the workload now, if any. `pods`: the new pods; `problems`: theirs and the workload's. */
    fatal(now, pods, problems) {
        this.remember(now, pods, problems);
        const everyPod = problems.find(p => p.everyPod);
        if (everyPod)
            return everyPod;
        const live = pods.filter(p => !p.metadata.deletionTimestamp);
        const doomed = (pod) => problems.some(p => p.pod === pod.metadata.name && p.kind === 'doomed');
        if (live.length > 0 && live.every(doomed))
            return problems.find(p => p.kind === 'doomed');
        return problems.find(p => p.kind !== 'waiting' && now - (this.since.get(problemKey(p)) ?? now) >= this.boundOf(p));
    }
    boundOf(p) {
        return p.reason === 'Unschedulable' ? this.grace.unschedulableMs : this.grace.failureMs;
    }
    /**
     * Keeps the first sighting of each problem still there. A crash loop is the same problem between its
     * restarts (the container runs a moment, then crashes again) until the container is ready or its pod gone.
     */
    remember(now, pods, problems) {
        const seen = new Set(problems.filter(p => p.kind !== 'waiting').map(problemKey));
        for (const key of this.since.keys()) {
            if (seen.has(key))
                continue;
            const [pod, container, family] = key.split('/');
            if (family === 'CrashLoopBackOff' && !containerReady(pods, pod, container))
                continue;
            this.since.delete(key);
        }
        for (const key of seen)
            if (!this.since.has(key))
                this.since.set(key, now);
    }
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/provisioned.ts
/**
 * What the cloud provisions for the manifests, waited for when `wait-for` asks: a LoadBalancer Service's address
 * and a PersistentVolumeClaim Bound. kstatus calls a LoadBalancer Service current once it has a cluster IP, and
 * never waits for its address; Helm's `--wait` (pkg/kube/ready.go `serviceReady`) and Argo CD wait until
 * `status.loadBalancer.ingress` has an entry, and so does this, taking the hostname or the IP as the address that a
 * following step can use. A Service with `spec.externalIPs` is not waited for (Helm's rule).
 *
 * A claim is ready once `status.phase` is Bound (kstatus `pvcConditions`, Helm `volumeReady`); Lost fails it. A
 * claim of a StorageClass with `volumeBindingMode: WaitForFirstConsumer` stays Pending until a pod that uses it
 * is scheduled (the PV controller says so with its `WaitForFirstConsumer` event): kstatus and Helm wait for it
 * until they time out (helm/helm#10196, #10733), which is a false alarm. Here it counts as ready: the pods that
 * will use it are the workloads' and are waited for there; once the scheduler picked a node for it (the
 * `volume.kubernetes.io/selected-node` annotation), the claim is waited for until Bound.
 *
 * Neither carries a condition that says it failed: the controllers say so in events, retrying all the while
 * (AWS Load Balancer Controller `FailedBuildModel` / `FailedDeployModel`, the cloud provider's
 * `SyncLoadBalancerFailed`; the PV controller's `FailedBinding`, a provisioner's `ProvisioningFailed`). Such an event
 * that is still the object's latest after `failure-grace` fails it, with the event as the root cause.
 */




/** The annotation the scheduler sets on a WaitForFirstConsumer claim once a pod using it has a node. */
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** Event reasons that say a load balancer or a volume cannot be made (the controllers retry them). */
const FAILURE_REASONS = new Set([
    'FailedBuildModel',
    'FailedDeployModel',
    'SyncLoadBalancerFailed',
    'FailedBinding',
    'ProvisioningFailed'
]);
const EVENT_MAX = 1000;
const isLoadBalancer = (o) => o.kind === 'Service' && o.apiVersion === 'v1' && o.spec?.type === 'LoadBalancer';
const isClaim = (o) => o.kind === 'PersistentVolumeClaim' && o.apiVersion === 'v1';
/** The objects `wait-for` asks to wait for. */
function provisionedObjects(objects, waitFor) {
    return objects.filter(o => (waitFor.loadBalancers && isLoadBalancer(o)) || (waitFor.volumes && isClaim(o)));
}
/** A LoadBalancer Service: its address (hostname or IP), or still waiting for one. */
function loadBalancerState(service) {
    const { spec, status } = service;
    if ((spec?.externalIPs ?? []).length > 0)
        return { state: 'done', message: 'has external IPs (spec.externalIPs): not waited for' };
    const addresses = (status?.loadBalancer?.ingress ?? [])
        .map(i => i.hostname || i.ip)
        .filter((a) => typeof a === 'string' && a !== '');
    if (addresses.length > 0)
        return { state: 'done', message: `load balancer ${addresses.join(', ')}`, addresses };
    return { state: 'progressing', message: 'waiting for its load balancer address' };
}
/** A claim: Bound, Lost, waiting for its first consumer (ready), or Pending. `events` are the claim's. */
function claimState(claim, events) {
    const { spec, status } = claim;
    const phase = status?.phase ?? 'Pending';
    if (phase === 'Bound')
        return { state: 'done', message: `Bound to ${spec?.volumeName ?? 'its volume'}` };
    if (phase === 'Lost')
        return {
            state: 'failed',
            reason: 'ClaimLost',
            message: `Lost: its volume ${spec?.volumeName ?? ''} is gone (the data may be lost with it)`
        };
    const last = events.at(-1);
    if (!claim.metadata.annotations?.[SELECTED_NODE] && last?.reason === 'WaitForFirstConsumer')
        return {
            state: 'done',
            message: `Pending until a pod that uses it is scheduled (StorageClass ${spec?.storageClassName ?? '?'}: WaitForFirstConsumer)`
        };
    return { state: 'progressing', message: `${phase}: waiting for it to be Bound` };
}
/** The object's latest event, when it says the thing cannot be made. */
function failureEvent(events) {
    const last = events.at(-1);
    return last && FAILURE_REASONS.has(last.reason ?? '') ? last : undefined;
}
const eventText = (e) => (0,core_text/* oneLine */.TN)(`${e.reason ?? ''}: ${e.message ?? ''}`, { max: EVENT_MAX });
/** Why it is not there yet, in one line, from its latest event; or that no controller said anything. */
function explainProvision(object, events, message) {
    const ref = (0,src_kube/* describeRef */.Ro)(provisioned_refOf(object));
    const last = events.at(-1);
    const lines = events.slice(-10).map(eventText);
    const what = isLoadBalancer(object) ? 'has no load balancer address' : 'is not Bound';
    const why = last
        ? eventText(last)
        : isLoadBalancer(object)
            ? 'no controller reported on it (no events): is a load balancer controller running (the AWS Load Balancer Controller for loadBalancerClass service.k8s.aws/nlb)?'
            : message;
    return {
        rootCause: `${ref} ${what}: ${why}`,
        diagnostics: lines.length > 0 ? [{ title: `Events of ${ref}`, severity: 'warning', lines }] : []
    };
}
const provisioned_refOf = (o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name
});
/** One look: the object, its events, its state; a failure event past its grace fails it. */
async function lookOnce(kube, ref, seen, options) {
    const live = (seen.live = await kube.get(ref));
    if (!live)
        return { done: false };
    const all = await kube.list({ apiVersion: 'v1', kind: 'Event', namespace: ref.namespace });
    const events = (seen.events = eventsOf(all, live.kind, live));
    const state = isLoadBalancer(live) ? loadBalancerState(live) : claimState(live, events);
    if (state.message !== seen.message)
        options.log.untrusted(`${(0,src_kube/* describeRef */.Ro)(ref)}: ${state.message}`);
    const message = (seen.message = state.message);
    if (state.state === 'done')
        return { done: true, value: { ref, outcome: 'ready', message, live } };
    const now = options.clock.now();
    const failure = state.state === 'failed' ? undefined : failureEvent(events);
    if (failure?.reason !== seen.reason)
        seen.failingSince = failure ? now : undefined;
    seen.reason = failure?.reason;
    const due = seen.failingSince !== undefined && now - seen.failingSince >= options.grace.failureMs;
    if (state.state !== 'failed' && !due)
        return { done: false };
    const explanation = state.state === 'failed'
        ? { rootCause: `${(0,src_kube/* describeRef */.Ro)(ref)}: ${state.message}`, diagnostics: [] }
        : explainProvision(live, events, message);
    return { done: true, value: { ref, outcome: 'failed', message, explanation, detectedAt: now, live } };
}
/** Waits for one LoadBalancer Service or claim; a wait that runs out of time says what its last look saw. */
async function waitForProvisioned(kube, ref, options) {
    const clock = options.clock ?? poll/* systemClock */.ml;
    const seen = { message: 'not seen yet', events: [] };
    try {
        const outcome = await (0,poll/* poll */.wt)({
            check: () => lookOnce(kube, ref, seen, { ...options, clock }),
            intervalMs: options.intervalMs,
            timeoutMs: options.timeoutMs,
            clock,
            signal: options.signal,
            isRetryable: src_kube/* isRetryableKube */.YJ
        });
        if (outcome.kind === 'done')
            return outcome.value;
        const { message, live } = seen;
        if (outcome.kind === 'cancelled' || !live)
            return { ref, outcome: outcome.kind, message, live };
        return {
            ref,
            outcome: 'timeout',
            message,
            live,
            explanation: explainProvision(live, seen.events, message)
        };
    }
    catch (error) {
        if (options.signal?.aborted)
            return { ref, outcome: 'cancelled', message: seen.message, live: seen.live };
        throw error;
    }
}
/** Waits for every object `wait-for` asks for, in parallel; `onFailed` is told of the first failure at once. */
function waitForAllProvisioned(kube, objects, waitFor, options, onFailed) {
    return Promise.all(provisionedObjects(objects, waitFor).map(async (o) => {
        const outcome = await waitForProvisioned(kube, provisioned_refOf(o), options);
        if (outcome.outcome === 'failed')
            onFailed();
        return outcome;
    }));
}
/** The addresses of the LoadBalancer Services that got one. */
function loadBalancerAddresses(outcomes) {
    return outcomes.flatMap(w => {
        if (w.outcome !== 'ready' || !w.live || !isLoadBalancer(w.live))
            return [];
        const state = loadBalancerState(w.live);
        const addresses = state.state === 'done' ? (state.addresses ?? []) : [];
        return addresses.length ? [{ namespace: w.ref.namespace, name: w.ref.name, addresses }] : [];
    });
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/prune.ts
/**
 * Prune: delete what this deployment applied before and is no longer in the manifests. Objects are found by
 * the set label, in the kinds and namespaces recorded on a ConfigMap at the last apply (as Kubernetes
 * ApplySets keep them on their parent object), so a kind that has left the manifests is still looked at.
 * Never a Namespace, an object without this set's label, one a controller owns, or one annotated
 * `dockyard.dev/prune: "false"`; CustomResourceDefinitions (their deletion deletes every object of the kind)
 * and PersistentVolumeClaims (their volume, and its data, may go with them) only when the inputs say so.
 * Called after the workloads are healthy: a failed rollout prunes nothing.
 */



const RECORD_PREFIX = 'dockyard-set.';
/** The record's ConfigMap name: a DNS subdomain (each dot-separated part starts and ends with a letter or digit). */
function recordName(set) {
    const parts = `${RECORD_PREFIX}${set}`
        .toLowerCase()
        .split('.')
        .map(part => part.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, ''))
        .filter(Boolean);
    return parts
        .join('.')
        .slice(0, 253)
        .replace(/[^a-z0-9]+$/, '');
}
async function readRecord(kube, set, namespace) {
    const cm = await kube.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace,
        name: recordName(set)
    });
    if (!cm)
        return undefined;
    return { kinds: (0,inputs/* splitList */.ry)(cm.data?.kinds ?? ''), namespaces: (0,inputs/* splitList */.ry)(cm.data?.namespaces ?? '') };
}
async function writeRecord(kube, set, namespace, record, fieldManager) {
    await kube.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
            name: recordName(set),
            namespace,
            labels: { [labels/* MANAGED_BY */.Kf]: 'dockyard' },
            annotations: { 'dockyard.dev/record-of': set }
        },
        data: {
            kinds: [...record.kinds].sort().join('\n'),
            namespaces: [...record.namespaces].sort().join('\n')
        }
    }, { fieldManager, force: true });
}
function recordOf(applied, namespace) {
    const kinds = new Set();
    const namespaces = new Set([namespace]);
    for (const a of applied) {
        kinds.add(`${a.sent.apiVersion} ${a.sent.kind}`);
        if (a.sent.metadata.namespace)
            namespaces.add(a.sent.metadata.namespace);
    }
    return { kinds: [...kinds], namespaces: [...namespaces] };
}
/** Kinds kept unless an input allows them, with that input. */
const GUARDED = {
    CustomResourceDefinition: {
        input: 'prune-crds',
        allowed: o => !!o.crds,
        why: 'deleting it deletes every object of its kind'
    },
    PersistentVolumeClaim: {
        input: 'prune-pvcs',
        allowed: o => !!o.pvcs,
        why: 'its volume, and the data on it, may be deleted with it'
    }
};
/** Why an object of the set that left the manifests is kept, or undefined when it may be deleted. */
function keptBecause(object, kind, options) {
    if (object.metadata.annotations?.[labels/* PRUNE_ANNOTATION */.BY] === 'false')
        return `it is annotated ${labels/* PRUNE_ANNOTATION */.BY}: "false"`;
    const guard = GUARDED[kind];
    if (guard && !guard.allowed(options))
        return `${guard.why}; set ${guard.input}: true to prune it`;
    return undefined;
}
/**
 * Deletes the set's objects that were not applied this time, in the recorded and current kinds and
 * namespaces. Returns what was (or, in a dry run, would be) pruned.
 */
async function prune(kube, applied, previous, options) {
    const current = recordOf(applied, options.namespace);
    const kinds = [...new Set([...(previous?.kinds ?? []), ...current.kinds])];
    const namespaces = [...new Set([...(previous?.namespaces ?? []), ...current.namespaces])];
    const keep = new Set(applied.map(a => (0,src_kube/* refKey */.XF)({ ...a.sent, namespace: a.sent.metadata.namespace, name: a.sent.metadata.name })));
    const record = recordName(options.set);
    const pruned = [];
    const selector = `${labels/* SET_LABEL */.Mq}=${options.set}`;
    for (const entry of kinds) {
        const [apiVersion, kind] = entry.split(' ');
        if (!apiVersion || !kind || kind === 'Namespace')
            continue;
        let namespaced;
        try {
            namespaced = (await kube.resource(apiVersion, kind)).namespaced;
        }
        catch {
            options.log.debug(`prune: ${kind} (${apiVersion}) is no longer served; nothing to look at.`);
            continue;
        }
        const found = [];
        for (const ns of namespaced ? namespaces : [undefined]) {
            try {
                found.push(...(await kube.list({ apiVersion, kind, namespace: ns }, { labelSelector: selector })));
            }
            catch (error) {
                if (error instanceof src_kube/* KubeError */.a3 && error.status === 404)
                    continue;
                throw error;
            }
        }
        for (const object of found) {
            const ref = { apiVersion, kind, namespace: object.metadata.namespace, name: object.metadata.name };
            // Belt and braces: the selector already asked for the label, but only an object that carries it is deleted.
            if (object.metadata.labels?.[labels/* SET_LABEL */.Mq] !== options.set)
                continue;
            if (keep.has((0,src_kube/* refKey */.XF)(ref)) || (kind === 'ConfigMap' && ref.name === record))
                continue;
            if (object.metadata.ownerReferences?.some(o => o.controller))
                continue;
            const kept = keptBecause(object, kind, options);
            if (kept) {
                options.log.info(`${(0,src_kube/* describeRef */.Ro)(ref)} left the manifests and is kept: ${kept}.`);
                continue;
            }
            const deleted = await kube.delete(ref, { dryRun: options.dryRun });
            if (!deleted)
                continue;
            options.log.info(`${(0,src_kube/* describeRef */.Ro)(ref)} pruned${options.dryRun ? ' (dry run)' : ''}`);
            const result = { ...ref, action: 'pruned' };
            if (!ref.namespace)
                delete result.namespace;
            pruned.push(result);
        }
    }
    return pruned;
}

// EXTERNAL MODULE: ./actions/deploy-eks/src/manifests.ts
var manifests = __webpack_require__(195);
;// CONCATENATED MODULE: ./actions/deploy-eks/src/kustomization.ts
/**
 * What a kustomization may reach, checked before kustomize runs. kustomize itself loads `resources`, `bases` and
 * `components` from any directory (its load restrictor covers only files such as patches), follows links, and
 * clones remote bases: so every path that a kustomization (and each kustomization it includes) names is resolved
 * here by the rule of every other path input (core/inputs.ts `resolveInsideWorkspace`: inside the workspace, links
 * followed), and a remote entry (a URL, `github.com/…`, `git::…`, `git@…`) is refused unless `kustomize-remote`
 * allows it. `file://` URLs are refused always: they clone a local directory, wherever it is.
 */





/** The file names kustomize recognises in a directory, in its order. */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const list = (v) => (Array.isArray(v) ? v : []);
const str = (v) => typeof v === 'string' && v !== '';
/** A string that is YAML written in place (a patch, a generator's config) rather than a path: it has a newline. */
const inline = (v) => v.includes('\n');
function entriesOf(k) {
    const out = [];
    const add = (field, value, kind) => {
        if (str(value) && !inline(value))
            out.push({ field, value: value.trim(), kind });
    };
    for (const field of ['resources', 'bases', 'components', 'generators', 'transformers', 'validators'])
        list(k[field]).forEach((v, i) => add(`${field}[${i}]`, v, 'resource'));
    for (const field of ['crds', 'configurations', 'patchesStrategicMerge'])
        list(k[field]).forEach((v, i) => add(`${field}[${i}]`, v, 'file'));
    for (const field of ['patches', 'patchesJson6902', 'replacements'])
        list(k[field]).forEach((v, i) => (0,manifests/* isObject */.Gv)(v) && add(`${field}[${i}].path`, v.path, 'file'));
    if ((0,manifests/* isObject */.Gv)(k.openapi))
        add('openapi.path', k.openapi.path, 'file');
    for (const field of ['configMapGenerator', 'secretGenerator'])
        list(k[field]).forEach((g, i) => {
            if (!(0,manifests/* isObject */.Gv)(g))
                return;
            // `files` entries are `path` or `key=path`.
            list(g.files).forEach((f, j) => add(`${field}[${i}].files[${j}]`, str(f) ? f.slice(f.indexOf('=') + 1) : f, 'file'));
            list(g.envs).forEach((f, j) => add(`${field}[${i}].envs[${j}]`, f, 'file'));
            add(`${field}[${i}].env`, g.env, 'file');
        });
    return out;
}
/** How kustomize's loader tells a remote entry (git repository or URL) from a path, before it looks on disk. */
const REMOTE = [
    /^[a-z][a-z0-9+.-]*:\/\//i, // https://, ssh://, git://, s3:// …
    /^git::/i,
    /^gh:/i,
    /^[\w.-]+@[\w.-]+:/, // git@github.com:org/repo (scp-like ssh)
    /^github\.com[:/]/i,
    /_git\// // Azure DevOps
];
const isRemote = (value) => REMOTE.some(re => re.test(value));
/** The kustomization file of a directory; undefined when it has none. */
function kustomizationFile(dir) {
    return KUSTOMIZATION_FILES.map(f => (0,external_node_path_.join)(dir, f)).find(f => (0,external_node_fs_.existsSync)(f));
}
class Walk {
    options;
    problems = [];
    /** Remote entries allowed, by the kustomization file that names them: `overlay/kustomization.yaml resources[0]: …`. */
    remote = [];
    seen = new Set();
    root;
    constructor(options) {
        this.options = options;
        this.root = (0,external_node_fs_.realpathSync)(options.workspace);
    }
    /** A path as the workspace names it: `overlays/prod/kustomization.yaml`. */
    name(path) {
        return (0,external_node_path_.relative)(this.root, path).split(external_node_path_.sep).join('/') || '.';
    }
    fail(message, hint) {
        this.problems.push(new errors/* DockyardError */.gt(message, { input: 'kustomize', hint }));
    }
    /** Reads the kustomization of `dir` (a directory inside the workspace) and checks each entry. */
    visit(dir) {
        if (this.seen.has(dir))
            return;
        this.seen.add(dir);
        const found = kustomizationFile(dir);
        if (!found) {
            this.fail(`${this.name(dir)} has no kustomization (${KUSTOMIZATION_FILES.join(', ')}).`, 'A directory named by a kustomization, or given as kustomize, holds a kustomization.yaml.');
            return;
        }
        const where = this.name(found);
        const file = this.inside(found, where, dir);
        const k = file && this.read(file, where);
        if (k === undefined)
            return;
        if (!(0,manifests/* isObject */.Gv)(k)) {
            this.fail(`${where} is not a kustomization (a mapping).`, 'Check the file.');
            return;
        }
        for (const entry of entriesOf(k))
            this.entry(entry, dir, where);
    }
    /** The kustomization's value; undefined, with a problem, when it is not YAML (or an alias bomb). */
    read(file, where) {
        return (0,errors/* collectProblem */.W4)(this.problems, () => (0,manifests/* parseYamlDocuments */.v)((0,external_node_fs_.readFileSync)(file, 'utf8'), where, 'kustomize')[0]?.value ?? null);
    }
    entry({ field, value, kind }, dir, where) {
        const at = `${where} ${field}: '${value}'`;
        if (/^file:/i.test(value))
            return this.fail(`${at} is a file:// URL, which reaches any directory of the runner.`, 'Give a path relative to the kustomization, inside the workspace.');
        if (isRemote(value)) {
            if (this.options.remote)
                this.remote.push(at);
            else
                this.fail(`${at} is remote: kustomize would fetch it (and apply what it holds) from outside the workspace.`, "Check it out or vendor it into the repository and name it by path, or set 'kustomize-remote: true' to let kustomize fetch it (pin it to a commit: ?ref=<sha>).");
            return;
        }
        const real = this.inside(value, at, dir);
        if (real && kind === 'resource' && (0,external_node_fs_.statSync)(real).isDirectory())
            this.visit(real);
    }
    /** `value` resolved from `dir` inside the workspace (links followed); undefined, with a problem, when not. */
    inside(value, where, dir) {
        return (0,errors/* collectProblem */.W4)(this.problems, () => (0,inputs/* resolveInsideWorkspace */.sv)('kustomize', value, {
            workspace: this.options.workspace,
            base: dir,
            where,
            hint: 'A kustomization names paths relative to its directory; every one must stay inside the workspace (the repository checkout), links included. Copy what it needs into the repository.'
        }));
    }
}
/**
 * Checks the kustomization in `dir` and every one it includes; throws one InputError naming each entry refused
 * (by its kustomization file and field), else returns the remote entries that `remote: true` let through.
 */
function checkKustomization(dir, options) {
    const walk = new Walk(options);
    walk.visit(dir);
    if (walk.problems.length > 0)
        throw new errors/* InputError */.dz(walk.problems);
    return walk.remote;
}

// EXTERNAL MODULE: ./actions/deploy-eks/src/kube-transport.ts
var kube_transport = __webpack_require__(6868);
;// CONCATENATED MODULE: ./actions/deploy-eks/src/limits.ts
/**
 * The sizes a Kubernetes API server refuses, checked on the rendered objects in the render phase, before anything
 * is sent: an object the server would refuse halfway through the set (after the ones before it were applied) is
 * refused here, naming its file and object, and nothing is written. Upstream values:
 * - the request body: 3 MiB (k8s.io/apiserver `MaxRequestBodyBytes`, twice etcd's default request size): HTTP 413
 *   `Request entity too large: limit is 3145728`;
 * - a ConfigMap's or a Secret's data, summed: 1 MiB (`MaxSecretSize`): `Too long: must have at most 1048576 bytes`;
 * - an object's annotations, keys and values summed: 256 KiB (`TotalAnnotationSizeLimitB`);
 * - etcd's default request limit, 1.5 MiB (`--max-request-bytes`): what an object takes once stored (protobuf
 *   for built-in kinds, JSON for custom resources) is not knowable here, so a larger object is a warning.
 */


const MiB = 1024 * 1024;
const REQUEST_LIMIT = 3 * MiB;
const DATA_LIMIT = 1 * MiB;
const ANNOTATIONS_LIMIT = 256 * 1024;
const ETCD_LIMIT = 1.5 * MiB;
const utf8 = (s) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : 0);
/** The bytes a base64 value stands for (data and binaryData hold base64). */
const base64Bytes = (s) => (typeof s === 'string' ? Buffer.from(s, 'base64').length : 0);
function entries(value) {
    return value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}
/** The data of a ConfigMap or Secret as the API server sums it; undefined for another kind. */
function dataBytes(object) {
    const o = object;
    if (object.apiVersion !== 'v1')
        return undefined;
    if (object.kind === 'ConfigMap')
        return (entries(o.data).reduce((n, [, v]) => n + utf8(v), 0) +
            entries(o.binaryData).reduce((n, [, v]) => n + base64Bytes(v), 0));
    if (object.kind !== 'Secret')
        return undefined;
    // stringData is merged into data (a key in both takes stringData's value).
    const data = new Map(entries(o.data).map(([k, v]) => [k, base64Bytes(v)]));
    for (const [k, v] of entries(o.stringData))
        data.set(k, utf8(v));
    return [...data.values()].reduce((n, b) => n + b, 0);
}
function annotationBytes(object) {
    return entries(object.metadata.annotations).reduce((n, [k, v]) => n + utf8(k) + utf8(v), 0);
}
/** A size past a limit, in bytes when rounding would show it equal to the limit (`1048577 bytes`, not `1 MiB`). */
const over = (bytes, limit) => (0,kube_transport/* formatBytes */.z3)(bytes) === (0,kube_transport/* formatBytes */.z3)(limit) ? `${bytes} bytes` : (0,kube_transport/* formatBytes */.z3)(bytes);
const HINT = 'Keep large data out of the manifests (a volume, the image, object storage) or split the object; nothing was applied.';
/** What is too large in one object: problems (refused) and warnings (may be refused by etcd). */
function objectProblems(m) {
    const { object } = m;
    const name = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
    const at = `${m.source}: ${name}`;
    const problems = [];
    const warnings = [];
    const body = Buffer.byteLength(JSON.stringify(object), 'utf8');
    if (body > REQUEST_LIMIT)
        problems.push(`${at} is ${over(body, REQUEST_LIMIT)} as sent; the API server refuses a request over ${(0,kube_transport/* formatBytes */.z3)(REQUEST_LIMIT)} (HTTP 413, limit ${REQUEST_LIMIT} bytes).`);
    else if (body > ETCD_LIMIT)
        warnings.push(`${at} is ${over(body, ETCD_LIMIT)} as sent; etcd refuses to store more than ${(0,kube_transport/* formatBytes */.z3)(ETCD_LIMIT)} by default ("etcdserver: request is too large"), and the stored form may be that large.`);
    const data = dataBytes(object);
    if (data !== undefined && data > DATA_LIMIT)
        problems.push(`${at} holds ${over(data, DATA_LIMIT)} of data; a ${object.kind}'s data may be at most ${(0,kube_transport/* formatBytes */.z3)(DATA_LIMIT)} (${DATA_LIMIT} bytes).`);
    const annotations = annotationBytes(object);
    if (annotations > ANNOTATIONS_LIMIT)
        problems.push(`${at} has ${over(annotations, ANNOTATIONS_LIMIT)} of annotations; an object's annotations may be at most ${(0,kube_transport/* formatBytes */.z3)(ANNOTATIONS_LIMIT)} (keys and values).`);
    return { problems, warnings };
}
/**
 * Checks every rendered object against the API server's size limits; throws one InputError naming each object
 * that would be refused (by the input it came from: `manifests` or `kustomize`), else returns the warnings.
 */
function checkSizes(manifests) {
    const problems = [];
    const warnings = [];
    for (const m of manifests) {
        const found = objectProblems(m);
        const input = m.source.startsWith('kustomize:') ? 'kustomize' : 'manifests';
        problems.push(...found.problems.map(p => new errors/* DockyardError */.gt(p, { input, hint: HINT })));
        warnings.push(...found.warnings);
    }
    if (problems.length > 0)
        throw new errors/* InputError */.dz(problems);
    return warnings;
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/render.ts



/** Loads, checks and renders what the inputs name; throws the input problems it finds, with nothing written. */
async function renderInputs(inputs, phase, runProgram) {
    const { kustomize } = inputs;
    if (kustomize) {
        const remote = checkKustomization(kustomize.dir, {
            workspace: inputs.workspace,
            remote: kustomize.remote
        });
        if (remote.length > 0) {
            phase.log.info('kustomize-remote: true: kustomize fetches these itself:');
            for (const entry of remote)
                phase.log.info(`  ${entry}`);
        }
    }
    const loaded = await (0,manifests/* loadManifests */.DD)({
        files: inputs.manifestFiles,
        workspace: inputs.workspace,
        kustomize: kustomize && {
            text: kustomize.text,
            build: () => (0,manifests/* kustomizeBuild */.W4)(kustomize.dir, { signal: phase.signal, timeoutMs: phase.timeLeftMs() }, runProgram)
        }
    });
    const rendered = (0,manifests/* render */.XX)(loaded, {
        vars: inputs.vars,
        images: inputs.imageRules,
        labels: inputs.labels,
        annotations: inputs.annotations,
        podTemplateKinds: inputs.podTemplateKinds
    });
    return { ...rendered, warnings: checkSizes(rendered.manifests) };
}

// EXTERNAL MODULE: ./actions/deploy-eks/src/result.ts
var src_result = __webpack_require__(8808);
;// CONCATENATED MODULE: ./actions/deploy-eks/src/status.ts
const WAITED_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod']);
const num = (v) => (typeof v === 'number' ? v : 0);
/** The workload's condition of this type, if it has one. */
function conditionOf(w, type) {
    return w.status?.conditions?.find(c => c.type === type);
}
/** The Deployment controller's default `progressDeadlineSeconds`. */
const DEFAULT_PROGRESS_DEADLINE_S = 600;
/** How long a Deployment may go without progress before the controller says ProgressDeadlineExceeded, in ms. */
function progressDeadlineMs(w) {
    if (w.kind !== 'Deployment')
        return undefined;
    const seconds = w.spec?.progressDeadlineSeconds;
    return (typeof seconds === 'number' ? seconds : DEFAULT_PROGRESS_DEADLINE_S) * 1000;
}
/**
 * Why pods cannot be created, as the controller says it: a ReplicaSet's `ReplicaFailure` condition (reason
 * FailedCreate, the admission refusal as message), which the Deployment controller copies onto the Deployment
 * (deployment `sync.go` getReplicaFailures). kstatus reads it on ReplicaSets ("Replica Failure condition").
 */
function replicaFailure(w) {
    const failure = conditionOf(w, 'ReplicaFailure');
    return failure?.status === 'True' ? (failure.message ?? failure.reason ?? 'ReplicaFailure') : undefined;
}
/**
 * True while a StatefulSet, DaemonSet or Job has fewer pods than it wants: the time to look for its
 * controller's FailedCreate events (these kinds have no ReplicaFailure condition).
 */
function missingPods(w) {
    const { spec, status } = w;
    switch (w.kind) {
        case 'StatefulSet':
            return num(status?.replicas) < (typeof spec?.replicas === 'number' ? spec.replicas : 1);
        case 'DaemonSet':
            return num(status?.currentNumberScheduled) < num(status?.desiredNumberScheduled);
        case 'Job': {
            if (jobState(w).state !== 'progressing' || spec?.suspend === true)
                return false;
            const parallelism = typeof spec?.parallelism === 'number' ? spec.parallelism : 1;
            const completions = typeof spec?.completions === 'number' ? spec.completions : undefined;
            const wanted = Math.min(parallelism, completions === undefined ? parallelism : completions - num(status?.succeeded));
            return num(status?.active) < wanted;
        }
        default:
            return false;
    }
}
/** Whether the controller has seen the object's current generation (status.observedGeneration). */
function observed(w) {
    return (w.metadata.generation ?? 0) <= num(w.status?.observedGeneration);
}
function deploymentState(w) {
    if (w.spec?.paused === true)
        return { state: 'paused', message: 'paused (spec.paused): no new pods until it is resumed' };
    if (!observed(w))
        return { state: 'progressing', message: 'waiting for the deployment spec update to be observed' };
    const s = w.status ?? {};
    const progressing = s.conditions?.find(c => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded')
        return {
            state: 'failed',
            reason: 'ProgressDeadlineExceeded',
            message: progressing.message ?? `deployment "${w.metadata.name}" exceeded its progress deadline`
        };
    const replicas = typeof w.spec?.replicas === 'number' ? w.spec.replicas : 1;
    const updated = num(s.updatedReplicas);
    if (updated < replicas)
        return { state: 'progressing', message: `${updated} of ${replicas} updated replicas` };
    if (num(s.replicas) > updated)
        return { state: 'progressing', message: `${num(s.replicas) - updated} old replicas pending termination` };
    if (num(s.availableReplicas) < updated)
        return {
            state: 'progressing',
            message: `${num(s.availableReplicas)} of ${updated} updated replicas available`
        };
    return { state: 'done', message: `${updated} of ${replicas} replicas updated and available` };
}
function statefulSetState(w) {
    if (w.spec?.updateStrategy?.type && w.spec.updateStrategy.type !== 'RollingUpdate')
        return { state: 'done', message: `updateStrategy ${w.spec.updateStrategy.type}: not waited for` };
    if (!observed(w))
        return { state: 'progressing', message: 'waiting for the statefulset spec update to be observed' };
    const s = w.status ?? {};
    const replicas = typeof w.spec?.replicas === 'number' ? w.spec.replicas : 1;
    if (num(s.readyReplicas) < replicas)
        return { state: 'progressing', message: `${num(s.readyReplicas)} of ${replicas} pods ready` };
    const partition = w.spec?.updateStrategy?.rollingUpdate?.partition;
    if (typeof partition === 'number' && partition > 0) {
        if (num(s.updatedReplicas) < replicas - partition)
            return {
                state: 'progressing',
                message: `${num(s.updatedReplicas)} of ${replicas - partition} pods updated (partition ${partition})`
            };
        return { state: 'done', message: `partitioned rollout complete: ${num(s.updatedReplicas)} new pods` };
    }
    if (s.updateRevision !== s.currentRevision)
        return {
            state: 'progressing',
            message: `${num(s.updatedReplicas)} of ${replicas} pods at revision ${String(s.updateRevision)}`
        };
    return { state: 'done', message: `${replicas} pods at revision ${String(s.currentRevision)}` };
}
/** The annotation apps/v1 keeps a DaemonSet's template generation in (the API server bumps it per template). */
const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
/**
 * The pods of a DaemonSet's current template, by the rule its controller uses (daemon `util.IsPodUpdated`): the
 * pod's `pod-template-generation` is the DaemonSet's template generation, or its `controller-revision-hash` is
 * the revision of such a pod (a rollback brings an old revision back under a new generation, and its pods
 * count as current without a restart).
 */
function currentDaemonPods(ds, pods) {
    const generation = ds.metadata.annotations?.[TEMPLATE_GENERATION];
    const label = (p, key) => p.metadata.labels?.[key];
    const hashes = new Set(pods
        .filter(p => generation && label(p, 'pod-template-generation') === generation)
        .map(p => label(p, 'controller-revision-hash')));
    return pods.filter(p => (generation && label(p, 'pod-template-generation') === generation) ||
        hashes.has(label(p, 'controller-revision-hash')));
}
function daemonSetState(w) {
    if (w.spec?.updateStrategy?.type && w.spec.updateStrategy.type !== 'RollingUpdate')
        return { state: 'done', message: `updateStrategy ${w.spec.updateStrategy.type}: not waited for` };
    if (!observed(w))
        return { state: 'progressing', message: 'waiting for the daemon set spec update to be observed' };
    const s = w.status ?? {};
    const desired = num(s.desiredNumberScheduled);
    if (num(s.updatedNumberScheduled) < desired)
        return {
            state: 'progressing',
            message: `${num(s.updatedNumberScheduled)} of ${desired} updated pods scheduled`
        };
    if (num(s.numberAvailable) < desired)
        return {
            state: 'progressing',
            message: `${num(s.numberAvailable)} of ${desired} updated pods available`
        };
    return { state: 'done', message: `${desired} pods updated and available` };
}
function jobState(w) {
    const conditions = w.status?.conditions ?? [];
    // FailureTarget comes first (1.31+): the Job has failed, its pods are being stopped.
    const failed = conditions.find(c => c.type === 'Failed' && c.status === 'True') ??
        conditions.find(c => c.type === 'FailureTarget' && c.status === 'True');
    if (failed)
        return {
            state: 'failed',
            reason: failed.reason ?? 'Failed',
            message: failed.message ?? 'the job failed'
        };
    if (conditions.some(c => c.type === 'Complete' && c.status === 'True'))
        return { state: 'done', message: `complete (${num(w.status?.succeeded)} succeeded)` };
    return {
        state: 'progressing',
        message: `${num(w.status?.active)} active, ${num(w.status?.succeeded)} succeeded, ${num(w.status?.failed)} failed`
    };
}
function podState(w) {
    const phase = w.status?.phase;
    if (phase === 'Succeeded')
        return { state: 'done', message: 'succeeded' };
    if (phase === 'Failed')
        return { state: 'failed', reason: 'PodFailed', message: String(w.status?.message ?? 'the pod failed') };
    if (w.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'))
        return { state: 'done', message: 'ready' };
    return { state: 'progressing', message: `phase ${phase ?? 'Pending'}` };
}
function rolloutState(w) {
    switch (w.kind) {
        case 'Deployment':
            return deploymentState(w);
        case 'StatefulSet':
            return statefulSetState(w);
        case 'DaemonSet':
            return daemonSetState(w);
        case 'Job':
            return jobState(w);
        case 'Pod':
            return podState(w);
        default:
            return { state: 'done', message: 'not a workload' };
    }
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/explain.ts


/** Events and log lines are cut to this many characters each. */
const LINE_MAX = 1000;
const EVENT_LINES = 20;
const PODS_SHOWN = 5;
const NOT_READ = '(could not be read: ';
/** Order in which problems lead an explanation that no single problem decided. */
const LEAD_ORDER = [
    p => p.kind === 'doomed',
    p => p.kind === 'may-heal',
    p => p.reason !== 'NotReady' && p.reason !== 'ReadinessGate' && p.exitCode !== undefined,
    p => p.reason === 'NotReady' || p.reason === 'ReadinessGate',
    () => true
];
async function explain(kube, input) {
    const { workload } = input;
    const ns = workload.metadata.namespace ?? 'default';
    const { events, error } = await readEvents(kube, ns);
    const problems = currentProblems(input, events);
    const lead = leadProblem(input, problems);
    const tails = await logTails(kube, ns, lead, problems, input);
    const diagnostics = [
        ...podDiagnostics(input.pods, problems),
        ...eventDiagnostics(events, error, workload, input.pods, input.related ?? []),
        ...tails.diagnostics
    ];
    const rootCause = rootCauseOf(workload.metadata.name, lead, tails.leadLine, input.verdict, events);
    return { rootCause, diagnostics };
}
async function readEvents(kube, namespace) {
    try {
        return { events: await kube.list({ apiVersion: 'v1', kind: 'Event', namespace }) };
    }
    catch (error) {
        return { events: [], error: error.message };
    }
}
/** The pods' problems again, with the events now at hand; the workload's own; what keeps running pods unready. */
function currentProblems(input, events) {
    const job = input.workload.kind === 'Job';
    return [
        ...input.problems.filter(p => p.pod === undefined),
        ...input.pods.flatMap(pod => [
            ...podProblems(pod, { job, events }),
            ...exitedProblems(pod),
            ...notReadyProblems(pod, events)
        ])
    ];
}
function leadProblem(input, problems) {
    const { fatal } = input;
    const same = (p) => p.pod === fatal?.pod && p.container === fatal?.container && p.reason === fatal?.reason;
    if (fatal)
        return problems.find(same) ?? fatal;
    for (const rule of LEAD_ORDER) {
        const found = problems.find(rule);
        if (found)
            return found;
    }
    return undefined;
}
const allStatuses = (pod) => [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? [])
];
/**
 * Containers that exited with an error: ended (a Job's, a failed pod's: their current instance tells), or
 * restarted and not ready (the instance before tells).
 */
function exitedProblems(pod) {
    return allStatuses(pod).flatMap(c => {
        const now = c.state?.terminated;
        const ended = now ?? (c.ready ? undefined : c.lastState?.terminated);
        if (!ended?.exitCode)
            return [];
        return [
            {
                instance: now ? 'current' : 'previous',
                pod: pod.metadata.name,
                container: c.name,
                image: c.image,
                reason: ended.reason ?? 'Error',
                message: ended.message,
                exitCode: ended.exitCode,
                restarts: c.restartCount ?? 0,
                kind: 'waiting'
            }
        ];
    });
}
/** Why a running pod is not Ready: a readiness gate that is not True, or containers whose readiness probe fails. */
function notReadyProblems(pod, events) {
    const conditions = pod.status?.conditions ?? [];
    const ready = conditions.find(c => c.type === 'Ready');
    if (pod.status?.phase !== 'Running' || ready?.status === 'True')
        return [];
    const gates = (pod.spec?.readinessGates ?? []).flatMap(g => {
        const c = conditions.find(x => x.type === g.conditionType);
        if (c?.status === 'True')
            return [];
        const why = c
            ? `${c.status}${c.reason ? `: ${c.reason}` : ''}${c.message ? ` (${c.message})` : ''}`
            : 'not set';
        return [gateProblem(pod, `readiness gate ${g.conditionType} is ${why}`)];
    });
    const unhealthy = eventsOf(events, 'Pod', pod).filter(e => e.reason === 'Unhealthy');
    const containers = (pod.status?.containerStatuses ?? []).filter(c => c.state?.running && !c.ready);
    return [
        ...gates,
        ...containers.map(c => {
            const probe = unhealthy
                .filter(e => !e.involvedObject?.fieldPath?.includes('{') || e.involvedObject.fieldPath.includes(`{${c.name}}`))
                .at(-1);
            return {
                pod: pod.metadata.name,
                container: c.name,
                image: c.image,
                reason: 'NotReady',
                message: probe?.message ?? 'its readiness probe has not passed',
                restarts: c.restartCount ?? 0,
                kind: 'waiting'
            };
        })
    ];
}
function gateProblem(pod, message) {
    return { pod: pod.metadata.name, reason: 'ReadinessGate', message, restarts: 0, kind: 'waiting' };
}
function stateText(c) {
    const w = c.state?.waiting;
    const t = c.state?.terminated;
    if (w)
        return `waiting: ${w.reason ?? ''}${w.message ? ` — ${w.message}` : ''}`;
    if (t)
        return `terminated: ${t.reason ?? ''} (exit ${t.exitCode ?? '?'})${t.message ? ` — ${t.message}` : ''}`;
    if (c.state?.running)
        return c.ready ? 'running, ready' : 'running, not ready';
    return 'unknown';
}
/** Per failing pod: each container's state, restarts and last exit; the pod's own problems. */
function podDiagnostics(pods, problems) {
    const failing = [...new Set(problems.map(p => p.pod).filter((p) => !!p))].slice(0, PODS_SHOWN);
    return failing.map(name => {
        const pod = pods.find(p => p.metadata.name === name);
        const lines = (pod ? allStatuses(pod) : []).map(c => {
            const last = c.lastState?.terminated;
            const lastText = last
                ? `; last exit ${last.exitCode ?? '?'} (${last.reason ?? ''}${last.message ? `: ${last.message}` : ''})`
                : '';
            return (0,core_text/* oneLine */.TN)(`${c.name} (${c.image ?? '?'}): ${stateText(c)}; restarts ${c.restartCount ?? 0}${lastText}`, {
                max: LINE_MAX
            });
        });
        for (const p of problems.filter(x => x.pod === name && !x.container))
            lines.push((0,core_text/* oneLine */.TN)(`${p.reason}: ${p.message ?? ''}`, { max: LINE_MAX }));
        return { title: `Pod ${name}`, severity: 'error', lines };
    });
}
/** Warning events (and a provisioner's) of the workload, the related objects and the pods, oldest first. */
function eventDiagnostics(events, error, workload, pods, related) {
    if (error)
        return [{ title: 'Events', severity: 'warning', lines: [`${NOT_READ}${error})`] }];
    const relatedEvents = events.filter(e => e.involvedObject?.kind === 'ReplicaSet' && related.includes(e.involvedObject.name ?? ''));
    const shown = [
        ...eventsOf(events, workload.kind, workload),
        ...pods.flatMap(p => eventsOf(events, 'Pod', p)),
        ...relatedEvents
    ]
        .filter(e => e.type === 'Warning' || e.reason === 'Nominated' || e.reason === 'TriggeredScaleUp')
        .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
        .slice(-EVENT_LINES);
    if (shown.length === 0)
        return [];
    return [{ title: 'Events', severity: 'warning', lines: shown.map(eventLine) }];
}
function eventLine(e) {
    const count = e.series?.count ?? e.count ?? 1;
    const times = count > 1 ? ` (×${count})` : '';
    return (0,core_text/* oneLine */.TN)(`${e.involvedObject?.kind ?? ''} ${e.involvedObject?.name ?? ''}: ${e.reason ?? ''}: ${e.message ?? ''}${times}`, { max: LINE_MAX });
}
/** The containers whose logs tell: the lead's, and one more that crashed. */
function logSubjects(lead, problems) {
    const tells = (p) => !!p.container &&
        (p.reason === 'CrashLoopBackOff' ||
            p.reason === 'NotReady' ||
            p.exitCode !== undefined ||
            p.restarts > 0);
    const where = (p) => `${p.pod}/${p.container}`;
    const others = problems.filter(p => p.reason === 'CrashLoopBackOff' && (!lead || where(p) !== where(lead)));
    return [...(lead && tells(lead) ? [lead] : []), ...others].slice(0, 2);
}
/**
 * The last log lines of each telling container: the instance that crashed (`previous`) for a restarted one, the
 * current one for a container that is running or has ended; kept lines for a pod that is gone.
 */
async function logTails(kube, namespace, lead, problems, input) {
    const diagnostics = [];
    let leadLine;
    for (const p of logSubjects(lead, problems)) {
        const previous = (p.instance ?? (p.reason === 'CrashLoopBackOff' ? 'previous' : 'current')) === 'previous';
        const lines = await tail(kube, namespace, p, previous, input);
        if (p === lead)
            leadLine = (0,core_text/* rootCauseLine */.Yc)(lines.filter(l => !l.startsWith(NOT_READ)));
        diagnostics.push({
            title: `Last log lines of ${p.pod}/${p.container}${previous ? ' (previous instance)' : ''}`,
            severity: 'info',
            lines: lines.map(l => (0,core_text/* oneLine */.TN)(l, { max: LINE_MAX }))
        });
    }
    return { leadLine, diagnostics };
}
async function tail(kube, namespace, p, previous, input) {
    const tailLines = input.tailLines ?? 30;
    const kept = input.kept?.get(`${p.pod}/${p.container}`);
    const read = (prev) => kube.logs(namespace, p.pod, p.container, { previous: prev, tailLines });
    try {
        return await read(previous);
    }
    catch (error) {
        if (kept)
            return kept.slice(-tailLines);
        // No previous instance (it has not restarted yet): the current one.
        if (previous)
            return read(false).catch((e) => [`${NOT_READ}${e.message})`]);
        return [`${NOT_READ}${error.message})`];
    }
}
/** The one line: the workload, the lead problem in a few words, and why (the log line, the message). */
function rootCauseOf(name, lead, logLine, verdict, events) {
    const suffix = verdict ? ` (${verdict.reason})` : '';
    if (!lead) {
        const warning = events
            .filter(e => e.type === 'Warning')
            .sort((a, b) => eventTime(a).localeCompare(eventTime(b)))
            .at(-1);
        const base = verdict
            ? `${name}: ${verdict.reason}: ${verdict.message}`
            : `${name}: no pod problem was seen`;
        return warning ? `${base}; last warning: ${eventLine(warning)}` : base;
    }
    return `${name}: ${problemText(lead, logLine)}${suffix}`;
}
function problemText(p, logLine) {
    const detail = (text) => (text ? `: ${(0,core_text/* oneLine */.TN)(text, { max: LINE_MAX })}` : '');
    const exit = p.exitCode !== undefined ? ` (exit ${p.exitCode})` : '';
    switch (p.reason) {
        case 'FailedCreate':
            return `pods cannot be created (FailedCreate)${detail(p.message)}`;
        case 'Unschedulable':
            return `pod ${p.pod} Unschedulable${detail(p.message)}`;
        case 'ReadinessGate':
            return `pod ${p.pod} is not ready${detail(p.message)}`;
        case 'NotReady':
            return `container ${p.container} is running but not ready${detail(p.message)}`;
        case 'ErrImagePull':
        case 'ImagePullBackOff':
            return `container ${p.container} ${p.reason}${detail(`${p.image ? `image ${p.image}: ` : ''}${p.message ?? ''}`)}`;
        default:
            return `container ${p.container} ${p.reason}${exit}${detail(logLine ?? p.message)}`;
    }
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/watch.ts



/** A label selector object as the `labelSelector` query string. */
function selectorString(selector, extra = {}) {
    const parts = Object.entries({ ...(selector?.matchLabels ?? {}), ...extra }).map(([k, v]) => `${k}=${v}`);
    for (const e of selector?.matchExpressions ?? []) {
        if (e.operator === 'In')
            parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
        else if (e.operator === 'NotIn')
            parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
        else if (e.operator === 'Exists')
            parts.push(e.key);
        else if (e.operator === 'DoesNotExist')
            parts.push(`!${e.key}`);
    }
    return parts.join(',');
}
const REVISION = 'deployment.kubernetes.io/revision';
const specOf = (o) => (o.spec ?? {});
function ownedBy(object, owner) {
    return (!!owner.metadata.uid && (object.metadata.ownerReferences ?? []).some(r => r.uid === owner.metadata.uid));
}
/** The ReplicaSets of a Deployment, newest revision first. */
async function replicaSets(kube, deployment) {
    const sets = await kube.list({ apiVersion: 'apps/v1', kind: 'ReplicaSet', namespace: deployment.metadata.namespace }, { labelSelector: selectorString(specOf(deployment).selector) });
    const rev = (o) => Number(o.metadata.annotations?.[REVISION] ?? 0);
    return sets.filter(s => ownedBy(s, deployment)).sort((a, b) => rev(b) - rev(a));
}
const NONE = { pods: [], all: [], related: [] };
class WorkloadWatch {
    kube;
    options;
    judge;
    /** A Deployment revision's ReplicaSet, by `uid/revision` (it does not change). */
    replicaSets = new Map();
    /** A Job's crashed containers' logs, by `pod/container`, and the restart count they were read at. */
    kept = new Map();
    keptAt = new Map();
    /** A Job's pods as last seen, gone ones included. */
    seen = new Map();
    last = { pods: [], problems: [], related: [] };
    constructor(kube, options) {
        this.kube = kube;
        this.options = options;
        this.judge = new FailureJudge(options.grace);
    }
    /** One poll's look at the workload (as just read): its pods' problems, and the one that fails it now. */
    async look(live) {
        const { pods, all, related } = await this.podsOf(live);
        const job = live.kind === 'Job';
        let problems = pods.flatMap(p => podProblems(p, { job }));
        let events;
        if (needsEvents(problems) || missingPods(live)) {
            events = await this.kube.list({ apiVersion: 'v1', kind: 'Event', namespace: namespaceOf(live) });
            problems = pods.flatMap(p => podProblems(p, { job, events }));
        }
        const refusal = refusalOf(live, all, events);
        if (refusal)
            problems.push(failedCreate(refusal, all.some(p => p.metadata.deletionTimestamp)));
        if (job)
            await this.keepJobLogs(live, pods);
        const fatal = this.judge.fatal(this.options.clock.now(), pods, problems);
        this.last = { pods, problems, fatal, related };
        return this.last;
    }
    /** The explanation of what the last look saw, with the workload's own verdict when it gave one. */
    explain(live, verdict) {
        const pods = live.kind === 'Job' ? [...this.seen.values()] : this.last.pods;
        return explain(this.kube, { workload: live, ...this.last, pods, verdict, kept: this.kept });
    }
    async podsOf(live) {
        const list = (labelSelector) => this.kube.list({ apiVersion: 'v1', kind: 'Pod', namespace: namespaceOf(live) }, { labelSelector });
        const selector = selectorString(specOf(live).selector);
        switch (live.kind) {
            case 'Deployment':
                return this.deploymentPods(live, list);
            case 'StatefulSet': {
                const revision = live.status?.updateRevision;
                const all = (await list(selector)).filter(p => ownedBy(p, live));
                const pods = all.filter(p => p.metadata.labels?.['controller-revision-hash'] === revision);
                return revision ? { pods, all, related: [] } : NONE;
            }
            case 'DaemonSet':
            case 'Job': {
                const all = (await list(selector)).filter(p => ownedBy(p, live));
                return { pods: live.kind === 'DaemonSet' ? currentDaemonPods(live, all) : all, all, related: [] };
            }
            case 'Pod':
                return { pods: [live], all: [live], related: [] };
            default:
                return NONE;
        }
    }
    /** The pods of the Deployment's new ReplicaSet (the one of its revision), and all of its pods. */
    async deploymentPods(live, list) {
        const revision = live.metadata.annotations?.[REVISION];
        const key = `${live.metadata.uid}/${revision}`;
        let current = this.replicaSets.get(key);
        if (!current) {
            current = (await replicaSets(this.kube, live)).find(s => s.metadata.annotations?.[REVISION] === revision);
            if (current)
                this.replicaSets.set(key, current);
        }
        if (!current)
            return NONE;
        const all = await list(selectorString(specOf(live).selector));
        return { pods: all.filter(p => ownedBy(p, current)), all, related: [current.metadata.name] };
    }
    /** Reads the log of each Job container that crashed since the last look, while its pod is still there. */
    async keepJobLogs(live, pods) {
        for (const pod of pods) {
            this.seen.set(pod.metadata.name, pod);
            for (const c of pod.status?.containerStatuses ?? []) {
                const key = `${pod.metadata.name}/${c.name}`;
                const restarts = c.restartCount ?? 0;
                if (restarts === 0 || this.keptAt.get(key) === restarts)
                    continue;
                this.keptAt.set(key, restarts);
                const lines = await this.kube
                    .logs(namespaceOf(live), pod.metadata.name, c.name, { previous: true })
                    .catch(() => undefined);
                if (lines)
                    this.kept.set(key, lines);
            }
        }
    }
}
const namespaceOf = (o) => o.metadata.namespace ?? 'default';
/** Why the workload's pods cannot be created: a Deployment's ReplicaFailure, else its controller's FailedCreate. */
function refusalOf(live, all, events) {
    if (live.kind === 'Deployment')
        return replicaFailure(live);
    if (!events || !missingPods(live))
        return undefined;
    return latestFailedCreate(events, live, all);
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/rollout.ts




/** Kinds whose status says which generation the controller has seen. */
const GENERATION_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** A paused Deployment: said at once, with what resumes it. */
function pausedExplanation(live) {
    const { name, namespace } = live.metadata;
    return {
        rootCause: `${(0,src_kube/* describeRef */.Ro)({ kind: live.kind, namespace, name })} is paused (spec.paused): its new pod template is not rolled out until it is resumed (kubectl rollout resume deployment/${name}${namespace ? ` -n ${namespace}` : ''})`,
        diagnostics: []
    };
}
/** One poll: the workload's rollout state, then its pods (once the controller has seen this generation). */
async function checkOnce(kube, ref, watch, seen, options) {
    const live = (seen.live = await kube.get(ref));
    if (!live) {
        seen.message = 'not found';
        return { done: false };
    }
    const state = rolloutState(live);
    // The state's message may quote the controller's conditions: printed as data.
    if (state.message !== seen.message)
        options.log.untrusted(`${(0,src_kube/* describeRef */.Ro)(ref)}: ${state.message}`);
    const message = (seen.message = state.message);
    if (state.state === 'done')
        return { done: true, value: { ref, outcome: 'ready', message, live } };
    const detectedAt = options.clock.now();
    if (state.state === 'paused')
        return {
            done: true,
            value: { ref, outcome: 'failed', message, explanation: pausedExplanation(live), detectedAt, live }
        };
    // Until the controller has seen this generation, the "new" pods are those of the revision before.
    if (GENERATION_KINDS.has(live.kind) && !observed(live))
        return { done: false };
    const look = await watch.look(live);
    if (state.state !== 'failed' && !look.fatal)
        return { done: false };
    const explanation = await watch.explain(live, state.state === 'failed' ? state : undefined);
    return { done: true, value: { ref, outcome: 'failed', message, explanation, detectedAt, live } };
}
/**
 * Waits for one workload: its rollout rules, and its new pods' problems on every poll. A wait whose time ran out
 * is explained from what its last poll saw (a readiness probe that never passed, a pod still unschedulable).
 */
async function waitForWorkload(kube, ref, options) {
    const clock = options.clock ?? poll/* systemClock */.ml;
    const watch = new WorkloadWatch(kube, { clock, grace: options.grace });
    const seen = { message: 'not seen yet' };
    let outcome;
    try {
        outcome = await (0,poll/* poll */.wt)({
            check: () => checkOnce(kube, ref, watch, seen, { ...options, clock }),
            intervalMs: options.intervalMs,
            timeoutMs: options.timeoutMs,
            clock,
            signal: options.signal,
            isRetryable: src_kube/* isRetryableKube */.YJ,
            onRetry: (error, _attempt, delay) => options.log.debug(`${(0,src_kube/* describeRef */.Ro)(ref)}: ${error.message}; again in ${delay} ms`)
        });
    }
    catch (error) {
        // A request cut by the cancel: the wait was cancelled, not failed.
        if (options.signal?.aborted)
            return { ref, outcome: 'cancelled', message: seen.message, live: seen.live };
        throw error;
    }
    if (outcome.kind === 'done')
        return outcome.value;
    const { message, live } = seen;
    if (outcome.kind === 'cancelled' || !live)
        return { ref, outcome: outcome.kind, message, live };
    return { ref, outcome: 'timeout', message, live, explanation: await timeoutExplanation(watch, live) };
}
/** Why a wait ran out of time, as far as the cluster says; its own failure to say so is not the deploy's. */
async function timeoutExplanation(watch, live) {
    return watch.explain(live).catch(() => undefined);
}
/**
 * Waits for every workload among the objects in parallel. CronJobs and non-workloads are not waited for.
 * The first failure stops the other waits (they are `abandoned`), so the step reports it at once.
 */
async function waitForWorkloads(kube, objects, options) {
    const workloads = objects.filter(o => WAITED_KINDS.has(o.kind));
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    return Promise.all(workloads.map(async (o) => {
        const result = await waitForWorkload(kube, { apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }, { ...options, signal });
        if (result.outcome === 'failed')
            stop.abort();
        if (result.outcome === 'cancelled' && !options.signal?.aborted)
            return { ...result, outcome: 'abandoned' };
        return result;
    }));
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/rollback.ts
/**
 * Rollback of what this run changed, to what ran before it, as Helm's `--atomic` puts back the release that was
 * there: a Deployment, StatefulSet or DaemonSet whose pod template this run changed gets back the template it had
 * before the apply (read just before it), and is waited for. One this run did not change is left alone — an
 * unchanged re-run never reverts production to an older revision — and so is one this run created.
 *
 * The template is written by server-side apply with the deploy's field manager, sending the object as it was
 * applied with only the pod template replaced: the manager keeps owning the same fields, so the next deploy
 * applies cleanly, and `spec.replicas` is sent only as the deploy sent it (never when an autoscaler owns it).
 * A StatefulSet with the OrderedReady policy never replaces a pod that is not Ready: the pods the bad revision
 * left stuck are deleted, so the controller makes them again at the old revision (Kubernetes documents this
 * "forced rollback": StatefulSet, Rolling Updates).
 */





/** The kinds a rollback puts back: those whose pod template is their revision. */
const ROLLED_BACK_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
const rollback_specOf = (o) => o?.spec;
/** JSON with every object's keys in order: two answers of the server compare equal when their values do. */
const canonical = (value) => JSON.stringify(value, (_key, v) => v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
    : v);
/** Whether this run changed the workload's pod template: what a rollback would put back. */
function changedTemplate(applied) {
    const template = (o) => canonical(rollback_specOf(o)?.template);
    return !!applied.before && template(applied.before) !== template(applied.live);
}
/** Why a failed workload is left as it is, or undefined when it is rolled back. */
function leftAlone(applied, failed) {
    const name = (0,src_kube/* describeRef */.Ro)(failed.ref);
    if (rollback_specOf(failed.live)?.paused)
        return `${name} is paused: nothing of this run was rolled out`;
    if (!applied.before)
        return `${name} was created by this run: nothing ran before it to go back to`;
    if (!changedTemplate(applied))
        return `${name} was not changed by this run: it is not rolled back`;
    return undefined;
}
/**
 * What ran before this run, in the workload's own words: a Deployment's revision, a StatefulSet's revision, a
 * DaemonSet's template generation (its revisions have no number it shows).
 */
function revisionOf(before) {
    const status = before.status;
    const revision = before.kind === 'Deployment'
        ? before.metadata.annotations?.[REVISION]
        : before.kind === 'StatefulSet'
            ? status?.updateRevision
            : before.metadata.annotations?.[TEMPLATE_GENERATION];
    if (!revision)
        return { words: 'the template it had before this run' };
    return {
        revision,
        words: before.kind === 'DaemonSet' ? `template generation ${revision}` : `revision ${revision}`
    };
}
/** The object as this run applied it, with the pod template it had before. */
function rollbackObject(applied) {
    const object = structuredClone(applied.sent);
    const template = structuredClone(rollback_specOf(applied.before).template);
    // The API server shows an empty creationTimestamp in templates (`null`); it is not ours to send.
    if (template.metadata)
        delete template.metadata.creationTimestamp;
    object.spec = { ...object.spec, template };
    return object;
}
/** Puts back what ran before this run and waits for it; says why when it does not. */
async function rollBackWorkload(kube, applied, failed, options) {
    const why = leftAlone(applied, failed);
    if (why)
        return { ok: false, skipped: true, message: `${why}.` };
    const name = (0,src_kube/* describeRef */.Ro)(failed.ref);
    const { revision, words: to } = revisionOf(applied.before);
    options.log.info(`${name}: rolling back to ${to}`);
    const live = await kube.apply(rollbackObject(applied), { fieldManager: options.fieldManager, force: true });
    const replaced = live.kind === 'StatefulSet' ? await replaceStuckPods(kube, failed.ref, options) : [];
    const outcome = await waitForWorkload(kube, failed.ref, options);
    const also = replaced.length
        ? ` (stuck pod${replaced.length > 1 ? 's' : ''} ${replaced.join(', ')} replaced)`
        : '';
    if (outcome.outcome === 'ready')
        return { ok: true, revision, message: `${name} rolled back to ${to}${also}.` };
    return {
        ok: false,
        revision,
        message: `${name}: the rollback to ${to} did not complete (${outcome.outcome}: ${outcome.explanation?.rootCause ?? outcome.message}).`
    };
}
const ready = (pod) => pod.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') === true;
/**
 * Once the StatefulSet controller has seen the template put back (its update revision is the old one again),
 * deletes its pods at another revision that are not Ready: OrderedReady waits for them forever otherwise.
 */
async function replaceStuckPods(kube, ref, options) {
    const outcome = await (0,poll/* poll */.wt)({
        check: async () => {
            const live = await kube.get(ref);
            return live && observed(live) ? { done: true, value: live } : { done: false };
        },
        intervalMs: 500,
        timeoutMs: options.timeoutMs,
        clock: options.clock ?? poll/* systemClock */.ml,
        signal: options.signal,
        isRetryable: src_kube/* isRetryableKube */.YJ
    });
    if (outcome.kind !== 'done')
        return [];
    const live = outcome.value;
    const revision = live.status?.updateRevision;
    const selector = selectorString(live.spec.selector);
    const pods = await kube.list({ apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace }, { labelSelector: selector });
    const stuck = pods.filter(p => ownedBy(p, live) && p.metadata.labels?.['controller-revision-hash'] !== revision && !ready(p));
    for (const pod of stuck)
        await kube.delete({ apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, name: pod.metadata.name });
    return stuck.map(p => p.metadata.name);
}

;// CONCATENATED MODULE: ./actions/deploy-eks/src/deploy.ts
/**
 * One deployment to Kubernetes, as the core's deploy pipeline (core/deploy.ts) runs it: load and render the
 * manifests (from the workspace alone, so before any network call) → reach the cluster (EKS or a kubeconfig) →
 * verify every object with a server-side dry run → apply them (in Helm's order) → wait for every workload →
 * explain a failure (or a wait that ran out of time) → roll back what this run changed, or, once all is healthy,
 * prune. The functions below are the phases, in that order.
 */














async function deploy_deploy(inputs, ctx, connect = connectToCluster) {
    const run = { inputs, log: ctx.log, result: (0,src_result/* initialResult */.S)(inputs), manifests: [], applied: [] };
    const dryRun = inputs.dryRun ? ' (server-side dry run)' : '';
    try {
        return await (0,deploy/* runDeploy */.zt)(run.result, {
            render: { title: 'Rendering the manifests', local: true, run: phase => render(run, phase) },
            connect: { title: 'Connecting to the cluster', run: phase => reach(run, phase, connect) },
            verify: {
                title: () => `Verify ${run.manifests.length} objects (server-side dry run)`,
                run: phase => verify(run, phase)
            },
            apply: {
                title: () => `Apply ${run.manifests.length} objects${dryRun}`,
                run: phase => apply(run, phase)
            },
            wait: { title: 'Wait for the rollout', run: phase => wait(run, phase) },
            explain: { title: 'Diagnosing', run: async () => deploy_explain(run) },
            rollback: inputs.rollback
                ? { title: 'Roll back', afterTimeout: () => true, run: phase => rollBack(run, phase) }
                : undefined,
            settle: inputs.prune ? { title: 'Prune', run: async () => settle(run) } : undefined,
            progress: () => progress(run.result)
        }, ctx, inputs.timeoutMs);
    }
    finally {
        await run.cluster?.close();
    }
}
/** connect: the cluster's endpoint, CA and credentials (from EKS or the kubeconfig), and an API client. */
async function reach(run, phase, connect) {
    const cluster = await connect(run.inputs, phase);
    run.cluster = cluster;
    const { access } = cluster;
    for (const secret of access.secrets ?? [])
        run.log.mask(secret);
    run.log.info(`Cluster ${access.name}: ${access.server} (${access.via === 'eks' ? 'EKS DescribeCluster' : 'kubeconfig'})`);
    run.result.cluster = access.name;
    run.result.server = access.server;
}
/** render: the manifests read (kustomize run under the step's signal), checked, filled in and labelled. */
async function render(run, phase) {
    const { log, result } = run;
    const rendered = await renderInputs(run.inputs, phase);
    run.manifests = rendered.manifests;
    result.images = rendered.images;
    for (const warning of rendered.warnings) {
        log.warning(warning);
        result.warnings.push(warning);
    }
    log.info(`${rendered.manifests.length} objects.`);
    for (const change of rendered.images)
        log.info(`${change.object} container ${change.container}: ${change.from} → ${change.to}`);
}
function applyOptions(run, phase) {
    const { inputs } = run;
    return {
        namespace: inputs.namespace,
        fieldManager: inputs.fieldManager,
        force: inputs.forceConflicts,
        dryRun: inputs.dryRun,
        replaceRunningJobs: inputs.replaceRunningJobs,
        log: run.log,
        clock: phase.clock,
        signal: phase.signal
    };
}
/** verify: every object through a server-side dry run; every refusal at once, before anything is written. */
async function verify(run, phase) {
    run.plan = await verifyAll(run.cluster.kube, run.manifests, applyOptions(run, phase));
}
/**
 * apply: the objects as verified, and the set's record (the kinds of this and the last deploys, so a prune after a
 * failed one still looks at them). A dry run lists what prune would delete, and ends here; so does `wait: false`.
 */
async function apply(run, phase) {
    const { inputs, result } = run;
    const kube = run.cluster.kube;
    run.previous = await readSetRecord(run);
    run.applied = await writeAll(kube, run.plan, applyOptions(run, phase));
    result.resources = run.applied.map(a => a.result);
    const namespaces = new Set(run.applied.map(a => a.sent.metadata.namespace).filter(Boolean));
    if (namespaces.size === 1)
        result.namespace = [...namespaces][0];
    // Stopped while applying: neither prune nor the set's record.
    if (phase.signal.aborted)
        return;
    if (inputs.dryRun) {
        if (inputs.prune)
            result.resources.push(...(await pruneSet(run)));
        return {
            status: 'DRY_RUN',
            reason: `Dry run: ${(0,src_result/* summarizeResources */.p)(result.resources)} (nothing was written).`
        };
    }
    await writeSetRecord(run, union(run.previous, recordOf(run.applied, inputs.namespace)));
    if (!inputs.wait)
        return {
            status: 'COMPLETED',
            reason: `Applied: ${(0,src_result/* summarizeResources */.p)(result.resources)}; not waited for (wait: false).`
        };
}
/** settle (after every workload is healthy, or after the apply with `wait: false`): prune, then the new record. */
async function settle(run) {
    const pruned = await pruneSet(run);
    run.result.resources.push(...pruned);
    await writeSetRecord(run, recordOf(run.applied, run.inputs.namespace));
    if (pruned.length > 0)
        run.result.reason = (0,core_text/* sentence */.em)(run.result.reason, `Pruned ${pruned.length}.`);
}
function pruneSet(run) {
    const { inputs, log } = run;
    return prune(run.cluster.kube, run.applied, run.previous, {
        set: inputs.set,
        namespace: inputs.namespace,
        dryRun: inputs.dryRun,
        crds: inputs.pruneCrds,
        pvcs: inputs.prunePvcs,
        log
    });
}
function union(previous, current) {
    if (!previous)
        return current;
    return {
        kinds: [...new Set([...previous.kinds, ...current.kinds])],
        namespaces: [...new Set([...previous.namespaces, ...current.namespaces])]
    };
}
/**
 * The set's record only serves prune: one that cannot be read is a warning, not a failure. Only an answer of the
 * API server (403, a missing namespace) is tolerated: a refused token, a cancel or an unreachable server is the
 * deploy's failure, not the record's.
 */
async function readSetRecord(run) {
    const { inputs } = run;
    return readRecord(run.cluster.kube, inputs.set, inputs.namespace).catch((error) => {
        if (!(error instanceof src_kube/* KubeError */.a3))
            throw error;
        if (inputs.prune)
            run.log.warning(`Could not read the record of set ${inputs.set}: ${(0,errors/* describeError */.Uc)(error)}. Prune looks at the kinds of these manifests only.`);
        return undefined;
    });
}
/** Remembers the kinds and namespaces of this set for the next prune. */
async function writeSetRecord(run, record) {
    const { inputs } = run;
    await writeRecord(run.cluster.kube, inputs.set, inputs.namespace, record, inputs.fieldManager).catch((error) => {
        if (!(error instanceof src_kube/* KubeError */.a3))
            throw error;
        run.log.warning(`Could not record the kinds of set ${inputs.set} (ConfigMap ${recordName(inputs.set)} in ${inputs.namespace}): ${(0,errors/* describeError */.Uc)(error)}. A later prune may miss kinds that leave the manifests.`);
    });
}
/**
 * wait: every workload at once, the first failure ending the wait; with `wait-for`, the LoadBalancer Services'
 * addresses and the claims Bound alongside.
 */
async function wait(run, phase) {
    const { result, inputs } = run;
    const kube = run.cluster.kube;
    const asked = run.applied.filter(a => !pausedByManifest(a)).map(a => a.live);
    sayDeadlines(run, asked, phase.timeLeftMs());
    // The first failure, of a workload or of what the cloud provisions, ends the other waits.
    const stop = new AbortController();
    const options = { ...waitOptions(run, phase), signal: AbortSignal.any([phase.signal, stop.signal]) };
    const [workloads, provisioned] = await Promise.all([
        waitForWorkloads(kube, asked, options).then(ws => {
            if (ws.some(w => w.outcome === 'failed'))
                stop.abort();
            return ws;
        }),
        waitForAllProvisioned(kube, asked, inputs.waitFor, options, () => stop.abort())
    ]);
    const abandoned = (w) => w.outcome === 'cancelled' && !phase.signal.aborted ? { ...w, outcome: 'abandoned' } : w;
    result.workloads = [
        ...run.applied.filter(pausedByManifest).map(pausedOutcome),
        ...[...workloads, ...provisioned].map(abandoned)
    ];
    result.loadBalancers = loadBalancerAddresses(provisioned);
    for (const lb of result.loadBalancers)
        run.log.untrusted(`Service ${lb.namespace}/${lb.name}: load balancer ${lb.addresses.join(', ')}`);
    if (phase.signal.aborted)
        return;
    return waitEnding(result);
}
const provisionedKind = (w) => w.ref.kind === 'Service' || w.ref.kind === 'PersistentVolumeClaim';
const plural = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;
function waitEnding(result) {
    const failed = result.workloads.filter(w => w.outcome === 'failed');
    if (failed.length > 0)
        return {
            status: 'FAILED',
            reason: `${failed.map(w => (0,src_kube/* describeRef */.Ro)(w.ref)).join(', ')} failed to ${failed.every(provisionedKind) ? 'be provisioned' : 'roll out'}.`
        };
    const late = result.workloads.filter(w => w.outcome === 'timeout');
    if (late.length > 0)
        return {
            status: 'TIMED_OUT',
            reason: `Timed out waiting for ${late.map(w => `${(0,src_kube/* describeRef */.Ro)(w.ref)} (${w.message})`).join(', ')}.`
        };
    const count = (kind) => result.workloads.filter(w => w.ref.kind === kind).length;
    const ready = [
        `${plural(result.workloads.filter(w => !provisionedKind(w)).length, 'workload')} rolled out`,
        ...result.loadBalancers.map(lb => `Service ${lb.name} at ${lb.addresses[0]}`),
        ...(count('PersistentVolumeClaim')
            ? [`${plural(count('PersistentVolumeClaim'), 'volume claim')} ready`]
            : [])
    ];
    return {
        status: 'COMPLETED',
        reason: `Applied ${(0,src_result/* summarizeResources */.p)(result.resources)}; ${ready.join('; ')}.`
    };
}
/** How a wait (the rollout's, a rollback's) polls: the inputs' pace and graces, the phase's time and signal. */
function waitOptions(run, phase) {
    const { inputs } = run;
    return {
        timeoutMs: phase.timeLeftMs(),
        intervalMs: inputs.pollIntervalMs,
        grace: inputs.grace,
        clock: phase.clock,
        signal: phase.signal,
        log: run.log
    };
}
/** A Deployment its manifest pauses: what it asks for is to change the template without rolling it out. */
const pausedByManifest = (a) => a.sent.kind === 'Deployment' && a.sent.spec?.paused === true;
function pausedOutcome(a) {
    const { kind, namespace, name } = a.result;
    return {
        ref: { apiVersion: a.live.apiVersion, kind, namespace, name },
        outcome: 'ready',
        message: 'paused by its manifest (spec.paused): not rolled out, not waited for',
        live: a.live
    };
}
/**
 * A Deployment whose progress deadline comes after this wait ends would not get to say
 * ProgressDeadlineExceeded: the wait's own time ends it (explained and rolled back all the same). Said once.
 */
function sayDeadlines(run, objects, waitMs) {
    for (const o of objects) {
        const deadline = progressDeadlineMs(o);
        if (deadline === undefined || deadline < waitMs)
            continue;
        const ref = (0,src_kube/* describeRef */.Ro)({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
        run.log.info(`${ref}: its progress deadline (${(0,duration/* formatDuration */.a)(deadline)}) is after this wait ends (in ${(0,duration/* formatDuration */.a)(waitMs)}): a rollout that stalls ends TIMED_OUT rather than ProgressDeadlineExceeded. A timeout over ${(0,duration/* formatDuration */.a)(deadline + (0,deploy/* waitReserveMs */.Si)(run.inputs.timeoutMs))} leaves the deadline to the Deployment.`);
    }
}
/**
 * explain: the first failure's root cause leads (a wait that ran out of time has one too: what its last look
 * saw); every such workload's diagnostics follow, printed as data.
 */
function deploy_explain(run) {
    const { log, result } = run;
    const explained = result.workloads.filter(w => w.outcome === 'failed' || w.outcome === 'timeout');
    for (const [i, w] of explained.entries()) {
        const cause = w.explanation?.rootCause ?? `${(0,src_kube/* describeRef */.Ro)(w.ref)}: ${w.message}`;
        // The first root cause leads the reason; the others lead their own diagnostics.
        if (i > 0)
            result.diagnostics.push({ title: `Also: ${(0,src_kube/* describeRef */.Ro)(w.ref)}`, severity: 'error', lines: [cause] });
        result.diagnostics.push(...(w.explanation?.diagnostics ?? []));
        log.info(`${(0,src_kube/* describeRef */.Ro)(w.ref)} ${w.outcome === 'failed' ? 'failed' : 'did not finish in time'}:`);
        log.untrusted(cause);
        for (const d of w.explanation?.diagnostics ?? []) {
            log.info(`${d.title}:`);
            log.untrusted(d.lines.map(l => `  ${l}`));
        }
    }
    const lead = explained.find(w => w.outcome === 'failed') ?? explained[0];
    return lead && (lead.explanation?.rootCause ?? `${(0,src_kube/* describeRef */.Ro)(lead.ref)}: ${lead.message}`);
}
/**
 * rollback: each failed (or stalled) Deployment, StatefulSet and DaemonSet this run changed goes back to the
 * template it had before, waited for; the others are said to be left alone.
 */
async function rollBack(run, phase) {
    const { result } = run;
    for (const w of result.workloads.filter(rolledBackKind)) {
        const applied = run.applied.find(a => (0,src_kube/* refKey */.XF)(a.result) === (0,src_kube/* refKey */.XF)(w.ref));
        if (!applied)
            continue;
        const back = await rollBackOne(run, phase, applied, w);
        // It may quote a pod's log line (the reason a rollback did not complete): printed as data.
        run.log.untrusted(back.message);
        result.rollbacks.push({ name: (0,src_kube/* describeRef */.Ro)(w.ref), result: back });
    }
    if (phase.signal.aborted || result.rollbacks.length === 0)
        return;
    const done = result.rollbacks.filter(r => !r.result.skipped);
    const reason = result.rollbacks.map(r => r.result.message).join(' ');
    // Nothing rolled back (each was left alone, and says why): the wait's outcome stands.
    if (done.length === 0)
        return { status: result.status, reason };
    return { status: done.every(r => r.result.ok) ? 'ROLLED_BACK' : 'FAILED', reason };
}
const rolledBackKind = (w) => (w.outcome === 'failed' || w.outcome === 'timeout') && ROLLED_BACK_KINDS.has(w.ref.kind);
async function rollBackOne(run, phase, applied, w) {
    try {
        return await rollBackWorkload(run.cluster.kube, applied, w, {
            ...waitOptions(run, phase),
            fieldManager: run.inputs.fieldManager
        });
    }
    catch (error) {
        return { ok: false, message: `${(0,src_kube/* describeRef */.Ro)(w.ref)}: the rollback failed: ${(0,errors/* describeError */.Uc)(error)}` };
    }
}
/** What had been applied, and what was still rolling out, when the step was stopped. */
function progress(result) {
    if (result.resources.length === 0)
        return 'Nothing was applied.';
    const waiting = result.workloads
        .filter(w => w.outcome !== 'ready')
        .map(w => `${(0,src_kube/* describeRef */.Ro)(w.ref)} (${w.message})`);
    return `${result.resources.length} objects applied (${(0,src_result/* summarizeResources */.p)(result.resources)})${waiting.length ? `; not yet rolled out: ${waiting.join(', ')}` : ''}.`;
}
/** The cluster from EKS (or a kubeconfig), with AWS made only when first needed: a static token never touches it. */
async function connectToCluster(inputs, phase) {
    const aws = lazyAws(inputs, phase);
    try {
        const access = inputs.kubeconfig
            ? clusterFromKubeconfig(inputs.kubeconfig, {
                workspace: inputs.workspace,
                region: inputs.region,
                aws: aws.access,
                clock: phase.clock,
                mask: secret => phase.log.mask(secret)
            })
            : await clusterFromEks(inputs.cluster, inputs.region, aws.access(inputs.region), {
                log: phase.log,
                clock: phase.clock
            });
        const kube = new src_kube/* KubeClient */.Bx(access.connection, {
            signal: phase.signal,
            clock: phase.clock,
            deadline: phase.deadline
        });
        return {
            access,
            kube,
            close: async () => {
                kube.close();
                await aws.destroy();
            }
        };
    }
    catch (error) {
        await aws.destroy();
        throw error;
    }
}
/** One AWS session per region, its SDK modules loaded on first use. */
function lazyAws(inputs, { signal, log, clock }) {
    const sessions = new Map();
    const session = (region) => {
        let s = sessions.get(region);
        if (!s) {
            s = Promise.all(/* import() */[__webpack_require__.e(130), __webpack_require__.e(828)]).then(__webpack_require__.bind(__webpack_require__, 4828)).then(m => m.awsSession({ region, roleArn: inputs.roleArn, signal, log, clock }));
            sessions.set(region, s);
        }
        return s;
    };
    return {
        access: (region) => ({
            credentials: async () => (await session(region)).credentials(),
            describeCluster: async (name) => (await session(region)).describeCluster(name),
            callerArn: async () => (await session(region)).callerArn()
        }),
        destroy: async () => {
            for (const s of sessions.values())
                (await s.catch(() => undefined))?.destroy();
        }
    };
}


/***/ }),

/***/ 6180:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   FD: () => (/* binding */ TOKEN_REFRESH_MS),
/* harmony export */   jO: () => (/* binding */ eksToken)
/* harmony export */ });
/* unused harmony exports TOKEN_PREFIX, URL_EXPIRES_SECONDS, stsHost, presignedUrl */
/* harmony import */ var _smithy_hash_node__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2711);
/* harmony import */ var _smithy_protocol_http__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2356);
/* harmony import */ var _smithy_signature_v4__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(5118);
/**
 * The EKS bearer token, made in-process the way `aws eks get-token` makes it: a presigned STS
 * GetCallerIdentity URL (60 s expiry, the `x-k8s-aws-id` header signed with the cluster name), encoded as
 * `k8s-aws-v1.` + unpadded base64url. The API server's authenticator replays that URL against STS to learn
 * who we are, so it is signed for the real STS host of the region even when AWS_ENDPOINT_URL points the SDK
 * elsewhere.
 */



const TOKEN_PREFIX = 'k8s-aws-v1.';
/** The presigned URL's lifetime, as the aws CLI sets it; the API server accepts the token up to 15 min. */
const URL_EXPIRES_SECONDS = 60;
/** A token is made again after this long: well before the 15 minutes the API server allows. */
const TOKEN_REFRESH_MS = 10 * 60_000;
/** `sts.<region>.amazonaws.com`, `.amazonaws.com.cn` in the China regions. */
function stsHost(region) {
    return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}
/** RFC 3986 escaping, as SigV4 and botocore write query values (also `!'()*`). */
function escape(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
// The aws CLI's order of the query parameters (botocore adds the auth ones in this order).
const QUERY_ORDER = [
    'Action',
    'Version',
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Security-Token',
    'X-Amz-Signature'
];
/** The presigned GetCallerIdentity URL the token carries. */
async function presignedUrl(options) {
    const host = stsHost(options.region);
    const signer = new _smithy_signature_v4__WEBPACK_IMPORTED_MODULE_0__.SignatureV4({
        credentials: options.credentials,
        region: options.region,
        service: 'sts',
        sha256: _smithy_hash_node__WEBPACK_IMPORTED_MODULE_1__/* .Hash */ .V.bind(null, 'sha256')
    });
    const request = new _smithy_protocol_http__WEBPACK_IMPORTED_MODULE_2__/* .HttpRequest */ .Kd({
        method: 'GET',
        protocol: 'https:',
        hostname: host,
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host, 'x-k8s-aws-id': options.cluster }
    });
    const signed = await signer.presign(request, {
        expiresIn: URL_EXPIRES_SECONDS,
        signingDate: options.now ?? new Date()
    });
    const query = signed.query;
    const keys = [
        ...QUERY_ORDER.filter(k => k in query),
        ...Object.keys(query).filter(k => !QUERY_ORDER.includes(k))
    ];
    return `https://${host}/?${keys.map(k => `${escape(k)}=${escape(query[k])}`).join('&')}`;
}
/** The bearer token for the cluster, byte for byte what `aws eks get-token --cluster-name <cluster>` prints. */
async function eksToken(options) {
    const url = await presignedUrl(options);
    return TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}


/***/ })

};
