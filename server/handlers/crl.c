/*
 * crl.c - GET /idprov/crl: the CA's current CRL, DER, to anyone.  The
 * CRL is rebuilt at open and on every revocation (app.c, admin_revoke.c),
 * so serving it is a copy.
 */
#include "handlers.h"
#include "../respond.h"

void
srv_h_crl(srv_app *app, const srv_request *req, srv_response *resp)
{
	(void)req;
	pthread_mutex_lock(&app->crl_lock);
	srv_respond_copy(resp, 200, app->crl, app->crl_len, SRV_CT_CRL);
	pthread_mutex_unlock(&app->crl_lock);
	srv_respond_outcome(resp, "crl");
}
