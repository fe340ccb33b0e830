export const id = 548;
export const ids = [548];
export const modules = {

/***/ 8548:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   startDeployment: () => (/* binding */ startDeployment)
/* harmony export */ });
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2413);
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8478);
/* harmony import */ var _github_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6713);
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1509);
/**
 * GitHub deployments for any deploy action: the commit shows on the repository's Environments page as
 * deployed (or failed) to an environment, with the run's log and the environment's URL.
 *
 * `startDeployment` creates the deployment (or finds the one an earlier attempt of the same run created, so a
 * re-run never piles up duplicates) and posts `in_progress`; `finish` posts `success` or `failure` and marks the
 * environment's earlier successful deployments `inactive` (GitHub does that itself only for non-production
 * environments). GitHub is a side channel here: every failure of its API becomes a warning, never a failed or
 * stalled deploy, and each phase is bounded by a timeout.
 */




/** The task GitHub files the deployment under, and the payload key that marks it as this run's. */
const TASK = 'deploy';
const MARKER = 'dockyard';
/** Earlier deployments looked at when marking them inactive: the newest page. */
const INACTIVE_SCAN = 30;
/** One repository's deployments API, bound to the spec, the run and its way of explaining a refusal. */
class DeploymentsApi {
    spec;
    run;
    repo;
    baseUrl;
    where;
    octokit;
    constructor(spec, run, repo, baseUrl, log) {
        this.spec = spec;
        this.run = run;
        this.repo = repo;
        this.baseUrl = baseUrl;
        this.where = `'${spec.environment}'`;
        this.octokit = (0,_actions_github__WEBPACK_IMPORTED_MODULE_0__/* .getOctokit */ .Q)(spec.token, {
            baseUrl,
            log: {
                debug: (m) => log.debug(m),
                info: (m) => log.debug(m),
                warn: (m) => log.warning(m),
                error: (m) => log.warning(m)
            }
        });
    }
    postStatus(id, state, signal, fields = {}) {
        return this.octokit.rest.repos.createDeploymentStatus({
            ...this.repo,
            deployment_id: id,
            state,
            ...fields,
            request: { signal }
        });
    }
    /** This run's deployment from an earlier attempt, else a new one. */
    async findOrCreate(signal, step) {
        const { spec, run } = this;
        const marker = { run: run.runId, job: run.job, target: spec.target };
        step.name = 'list the deployments of the commit';
        const existing = await this.octokit.rest.repos.listDeployments({
            ...this.repo,
            sha: run.sha,
            environment: spec.environment,
            task: TASK,
            per_page: 100,
            request: { signal }
        });
        const mine = existing.data.find(d => sameMarker(d.payload, marker));
        if (mine)
            return [mine, true];
        step.name = 'create a deployment';
        const created = await this.octokit.rest.repos.createDeployment({
            ...this.repo,
            ref: run.sha,
            task: TASK,
            environment: spec.environment,
            auto_merge: false,
            required_contexts: [],
            payload: { [MARKER]: marker },
            description: description(`${spec.target} at ${(0,_github_js__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(run.sha)}`),
            transient_environment: false,
            ...(spec.production === undefined ? {} : { production_environment: spec.production }),
            request: { signal }
        });
        if (created.status !== 201 || !('id' in created.data)) {
            // 202: GitHub merged the default branch instead of deploying (auto_merge is off, so not expected).
            throw Object.assign(new Error(`GitHub answered ${created.status} without a deployment`), {
                status: created.status
            });
        }
        return [created.data, false];
    }
    /** Marks the environment's earlier successful deployments inactive; returns their ids. */
    async markEarlierInactive(id, signal) {
        const earlier = await this.octokit.rest.repos.listDeployments({
            ...this.repo,
            environment: this.spec.environment,
            per_page: INACTIVE_SCAN,
            request: { signal }
        });
        const marked = [];
        for (const older of earlier.data.filter(d => d.id < id)) {
            const statuses = await this.octokit.rest.repos.listDeploymentStatuses({
                ...this.repo,
                deployment_id: older.id,
                per_page: 1,
                request: { signal }
            });
            if (statuses.data[0]?.state !== 'success')
                continue;
            await this.postStatus(older.id, 'inactive', signal, {
                description: description(`Replaced by deployment ${id}`)
            });
            marked.push(older.id);
        }
        return marked;
    }
    explain(error) {
        return explain(error, this.spec, this.run, this.baseUrl);
    }
}
/**
 * Creates (or, on a re-run, finds) the GitHub deployment of `run.sha` in the spec's environment and posts
 * `in_progress` with the run's log URL. Never throws: when GitHub refuses or cannot be reached, it warns and
 * returns a deployment whose `finish` does nothing.
 */
async function startDeployment(spec, run, log, signal, options = {}) {
    log.mask(spec.token);
    const none = { reused: false, finish: async () => undefined };
    const [owner, repo] = run.repository.split('/');
    if (!owner || !repo || !run.sha) {
        log.warning('GitHub deployment skipped: GITHUB_REPOSITORY or GITHUB_SHA is not set, so there is no commit to deploy.');
        return none;
    }
    const env = options.env ?? process.env;
    const baseUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
    const api = new DeploymentsApi(spec, run, { owner, repo }, baseUrl, log);
    const makeTimeout = options.timeout ?? ((ms) => AbortSignal.timeout(ms));
    const startMs = options.startTimeoutMs ?? 15_000;
    const startSignal = signal ? AbortSignal.any([signal, makeTimeout(startMs)]) : makeTimeout(startMs);
    const step = { name: '' };
    try {
        const [deployment, reused] = await api.findOrCreate(startSignal, step);
        step.name = "post 'in_progress'";
        await api.postStatus(deployment.id, 'in_progress', startSignal, {
            log_url: (0,_github_js__WEBPACK_IMPORTED_MODULE_2__/* .runUrl */ .Vp)(run),
            description: description(`Deploying ${spec.target}`)
        });
        log.info(`GitHub deployment ${deployment.id} of ${(0,_github_js__WEBPACK_IMPORTED_MODULE_2__/* .shortSha */ .Fu)(run.sha)} to ${api.where}${reused ? ' (from an earlier attempt of this run)' : ''}: in progress.`);
        return {
            id: deployment.id,
            reused,
            finish: (state, finishOptions = {}) => finishDeployment(api, deployment, log, { state, ...finishOptions }, options)
        };
    }
    catch (error) {
        const why = signal?.aborted
            ? 'the step was cancelled.'
            : startSignal.aborted
                ? `GitHub did not answer within ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a)(startMs)}.`
                : api.explain(error);
        log.warning(`GitHub deployment to ${api.where}: could not ${step.name}: ${why} The deploy goes on without it.`);
        return none;
    }
}
/** Posts the final state, then marks earlier deployments inactive where GitHub does not. Never throws. */
async function finishDeployment(api, deployment, log, final, options) {
    const { spec, where } = api;
    const { id } = deployment;
    const { state } = final;
    const finishMs = options.finishTimeoutMs ?? 20_000;
    // Not the run's signal: a cancelled or timed-out step still reports its failure, within this bound.
    const signal = (options.timeout ?? ((ms) => AbortSignal.timeout(ms)))(finishMs);
    const environmentUrl = final.environmentUrl ?? spec.environmentUrl;
    let step = `post '${state}'`;
    try {
        await api.postStatus(id, state, signal, {
            log_url: (0,_github_js__WEBPACK_IMPORTED_MODULE_2__/* .runUrl */ .Vp)(api.run),
            ...(state === 'success' && environmentUrl ? { environment_url: environmentUrl } : {}),
            description: description(final.description ??
                (state === 'success' ? `Deployed ${spec.target}` : `Failed to deploy ${spec.target}`)),
            auto_inactive: true
        });
        log.info(`GitHub deployment ${id} to ${where}: ${state}${environmentUrl && state === 'success' ? ` (${environmentUrl})` : ''}.`);
        // GitHub marks earlier successful deployments inactive itself only in non-production environments.
        if (state !== 'success' || deployment.production_environment === false)
            return;
        step = 'mark earlier deployments inactive';
        const marked = await api.markEarlierInactive(id, signal);
        if (marked.length > 0)
            log.info(`GitHub deployments ${marked.join(', ')} in ${where}: inactive (replaced by ${id}).`);
    }
    catch (error) {
        const why = signal.aborted
            ? `GitHub did not answer within ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a)(finishMs)}.`
            : api.explain(error);
        log.warning(`GitHub deployment ${id} to ${where}: could not ${step}: ${why} The deploy's own result stands.`);
    }
}
/** Whether a deployment's payload carries this run's marker (GitHub returns the payload as JSON or as text). */
function sameMarker(payload, marker) {
    let value = payload;
    if (typeof value === 'string') {
        try {
            value = JSON.parse(value);
        }
        catch {
            return false;
        }
    }
    const found = value?.[MARKER];
    return found?.run === marker.run && found?.job === marker.job && found?.target === marker.target;
}
/** GitHub limits a deployment's or status's description to 140 characters. */
const description = (text) => (0,_text_js__WEBPACK_IMPORTED_MODULE_3__/* .oneLine */ .TN)(text, { max: 140, firstLine: true });
/** The innermost cause of a failed request that says something (`connect ECONNREFUSED 127.0.0.1:9`). */
function networkReason(error) {
    let reason = '';
    for (let e = error, depth = 0; e && depth < 5; depth++) {
        if (typeof e.message === 'string' &&
            e.message &&
            e.message !== 'Unknown Error' &&
            e.message !== 'fetch failed')
            reason = e.message;
        e = e.cause;
    }
    return reason || 'no answer';
}
/** Why a GitHub call failed, in the words a user acts on. */
function explain(error, spec, run, apiUrl) {
    const input = spec.tokenInput ?? 'github-token';
    const e = error;
    const message = e?.message ?? String(error);
    // Octokit reports a request that got no answer as status 500 without a response.
    if (!e?.response)
        return `GitHub's API could not be reached at ${apiUrl} (${networkReason(error)}).`;
    switch (e.status) {
        case 401:
            return `GitHub refused the token in '${input}' (401 Bad credentials). Give a valid token, or leave '${input}' at its default, the job's GITHUB_TOKEN.`;
        case 403:
            if (/rate limit/i.test(message))
                return `GitHub's API rate limit is exhausted (403: ${message}).`;
            return (`GitHub answered 403 (${message}): the token in '${input}' may not write deployments of ${run.repository}. ` +
                "Grant it: add 'deployments: write' to the job's 'permissions:' block (a reusable workflow's caller must grant it too).");
        case 404:
            return `GitHub answered 404: the token in '${input}' cannot see ${run.repository}, or lacks 'deployments: write'.`;
        case 422:
            return `GitHub refused the request (422: ${message}).`;
        default:
            return `GitHub answered ${e.status}: ${message}.`;
    }
}


/***/ })

};
