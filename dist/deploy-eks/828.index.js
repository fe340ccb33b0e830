export const id = 828;
export const ids = [828];
export const modules = {

/***/ 4828:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   RENEW_BEFORE_MS: () => (/* binding */ RENEW_BEFORE_MS),
/* harmony export */   awsSession: () => (/* binding */ awsSession),
/* harmony export */   renewingCredentials: () => (/* binding */ renewingCredentials)
/* harmony export */ });
/* harmony import */ var _aws_sdk_client_eks__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(4524);
/* harmony import */ var _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1695);
/* harmony import */ var _aws_sdk_credential_provider_node__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5861);
/* harmony import */ var _core_aws_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2849);
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(265);
/* harmony import */ var _core_poll_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9147);
/* harmony import */ var _token_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6180);
/**
 * The AWS side of deploy-eks: credentials from the SDK's default chain, or from STS AssumeRole when `role-arn`
 * is given (masked as soon as they exist, and renewed before they expire, so a long wait keeps a valid token);
 * EKS DescribeCluster; STS GetCallerIdentity. Nothing else is called.
 */







/** The session asked of AssumeRole: an hour, the most a chained role session may last. */
const SESSION_SECONDS = 3600;
/**
 * Credentials are renewed this long before they expire. A token signed with them is used for up to
 * TOKEN_REFRESH_MS, and the API server checks it against STS while it is used: they must outlast it.
 */
const RENEW_BEFORE_MS = _token_js__WEBPACK_IMPORTED_MODULE_3__/* .TOKEN_REFRESH_MS */ .FD + 5 * 60_000;
/** One AssumeRole call: its credentials, masked before they are returned. */
async function assumeRole(sts, roleArn, log) {
    const out = await sts.send(new _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_4__/* .AssumeRoleCommand */ .QL({
        RoleArn: roleArn,
        RoleSessionName: 'dockyard-deploy-eks',
        DurationSeconds: SESSION_SECONDS
    }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
        throw new Error('STS returned no credentials');
    for (const secret of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken])
        if (secret)
            log.mask(secret);
    return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: c.Expiration
    };
}
/** A failed AssumeRole, first or renewal, naming the input and the likely fix. */
function assumeRoleError(roleArn, error, renewal) {
    const hint = (0,_core_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .isExpiredCredentials */ .CW)(error)
        ? "The step's own credentials have expired (those set by aws-actions/configure-aws-credentials last for its role-duration-seconds): make them outlast the step's timeout."
        : "Check the role's trust policy allows the workflow's credentials to assume it (sts:AssumeRole).";
    return new _core_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .DockyardError */ .gt(`could not ${renewal ? 'renew the credentials of' : 'assume'} ${roleArn}: ${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(error)}`, { input: 'role-arn', hint, cause: error });
}
/**
 * Credentials made by `obtain`, kept until RENEW_BEFORE_MS before they expire, then made again; callers at the
 * same moment share one call. A renewal that fails while the current credentials are still valid is warned
 * about and tried again on the next use.
 */
function renewingCredentials(obtain, options) {
    const clock = options.clock ?? _core_poll_js__WEBPACK_IMPORTED_MODULE_2__/* .systemClock */ .ml;
    let current;
    let pending;
    const fresh = (c) => !!c && (!c.expiration || c.expiration.getTime() - clock.now() > RENEW_BEFORE_MS);
    const renew = async () => {
        try {
            current = await obtain();
            return current;
        }
        catch (error) {
            const stillValid = current?.expiration && current.expiration.getTime() > clock.now();
            if (!current || !stillValid)
                throw options.describeFailure(error);
            options.log.warning(`${(0,_core_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(options.describeFailure(error))} The current ones are used until they expire.`);
            return current;
        }
        finally {
            pending = undefined;
        }
    };
    return async () => {
        if (fresh(current))
            return current;
        pending ??= renew();
        return pending;
    };
}
async function awsSession(options) {
    const { region, signal, roleArn } = options;
    const base = (0,_aws_sdk_credential_provider_node__WEBPACK_IMPORTED_MODULE_5__.defaultProvider)();
    const baseSts = (0,_core_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .createClient */ .UU)(_aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_4__/* .STSClient */ .iM, { region, signal, credentials: base });
    await (0,_core_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .ensureCredentials */ .jA)(baseSts);
    let credentials = base;
    if (roleArn) {
        let first = true;
        credentials = renewingCredentials(() => assumeRole(baseSts, roleArn, options.log), {
            clock: options.clock,
            log: options.log,
            describeFailure: error => assumeRoleError(roleArn, error, !first)
        });
        // Assumed at once: a role that cannot be assumed fails the step before the cluster is looked at.
        await credentials();
        first = false;
    }
    const eks = (0,_core_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .createClient */ .UU)(_aws_sdk_client_eks__WEBPACK_IMPORTED_MODULE_6__/* .EKSClient */ .JQJ, { region, signal, credentials });
    const sts = roleArn ? (0,_core_aws_js__WEBPACK_IMPORTED_MODULE_0__/* .createClient */ .UU)(_aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_4__/* .STSClient */ .iM, { region, signal, credentials }) : baseSts;
    return {
        credentials,
        describeCluster: async (name) => (await eks.send(new _aws_sdk_client_eks__WEBPACK_IMPORTED_MODULE_6__/* .DescribeClusterCommand */ .hV5({ name }))).cluster,
        callerArn: async () => (await sts.send(new _aws_sdk_client_sts__WEBPACK_IMPORTED_MODULE_4__/* .GetCallerIdentityCommand */ .zI({}))).Arn ?? 'an unknown identity',
        destroy: () => new Set([baseSts, eks, sts]).forEach(c => c.destroy())
    };
}


/***/ })

};
