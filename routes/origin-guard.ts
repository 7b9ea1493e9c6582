/**
 * Refuses API requests from browser pages of other sites, and sends CORS
 * headers to the origins that ALLOWED_ORIGINS lets in.
 */
import cors from "cors";
import { Router } from "express";
import { corsOrigin, isOriginAllowed, type OriginPolicy } from "../lib/limits/origins.js";

export function originGuard(policy: OriginPolicy): Router {
  const router = Router();
  router.use((req, res, next) => {
    if (isOriginAllowed(req.headers.origin, req.headers.host, policy)) return next();
    res.status(403).json({ error: "origin not allowed", code: "refused" });
  });
  router.use(cors({ origin: corsOrigin(policy) }));
  return router;
}
