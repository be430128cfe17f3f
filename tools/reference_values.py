"""Prints reference values computed with PyTorch (Debian's python3-torch) for distill4j's tests.

Run: /usr/bin/python3 tools/reference_values.py
The numbers are pasted into the Java tests that name this script; re-run to check them.
"""
import torch
import torch.nn.functional as F

torch.set_printoptions(precision=8)


def fmt(t):
    return ", ".join("%.8ef" % v for v in t.flatten().tolist())


print("== SGD (momentum 0.9, nesterov, weight_decay 5e-4), lrs 0.1, 0.05, 0.02 ==")
w = torch.tensor([[0.5, -1.0, 2.0], [0.0, 0.25, -0.75]], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
grads = [torch.tensor([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6]]),
         torch.tensor([[-0.3, 0.1, 0.0], [0.2, 0.2, -0.1]]),
         torch.tensor([[0.05, 0.05, -0.4], [0.0, -0.3, 0.25]])]
for lr, g in zip([0.1, 0.05, 0.02], grads):
    for group in opt.param_groups:
        group["lr"] = lr
    w.grad = g.clone()
    opt.step()
    print("w after lr", lr, ":", fmt(w.detach()))

print("== SGD plain momentum 0.9 (no nesterov), wd 0, lrs 0.1 0.1 ==")
w = torch.tensor([1.0, -2.0], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
for g in [torch.tensor([0.5, 0.5]), torch.tensor([-1.0, 0.25])]:
    w.grad = g.clone()
    opt.step()
    print("w:", fmt(w.detach()))

print("== KL batchmean * T^2: kl_div(log_softmax(s/T), softmax(t/T)) ==")
s = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 0.0, 0.0], [3.0, -2.0, 1.0, 0.0]])
t = torch.tensor([[2.0, 1.0, 0.0, -0.5], [1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]])
for T in [1.0, 2.0, 3.0, 4.0]:
    v = F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T * T
    print("T", T, "kl %.8e" % v.item())
# very confident teacher / student
tc = torch.tensor([[60.0, -60.0, 0.0, 0.0], [0.0, 0.0, 80.0, -80.0]])
sc = torch.tensor([[-50.0, 50.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
for T in [1.0, 4.0]:
    v = F.kl_div(F.log_softmax(sc / T, 1), F.softmax(tc / T, 1), reduction="batchmean") * T * T
    print("confident T", T, "kl %.8e" % v.item())
# uniform against uniform: 0
u = torch.zeros(2, 4)
print("uniform kl %.8e" % F.kl_div(F.log_softmax(u, 1), F.softmax(u, 1), reduction="batchmean").item())
# gradient of KL wrt student logits (T=2)
ss = s.clone().requires_grad_(True)
v = F.kl_div(F.log_softmax(ss / 2, 1), F.softmax(t / 2, 1), reduction="batchmean") * 4
v.backward()
print("grad T2:", fmt(ss.grad))
print("== soft cross-entropy -sum q log softmax(s) batchmean, q = softmax(t) ==")
q = F.softmax(t, 1)
print("softce %.8e" % (-(q * F.log_softmax(s, 1)).sum(1).mean()).item())
print("== cross-entropy hard labels [1, 3, 0] ==")
print("ce %.8e" % F.cross_entropy(s, torch.tensor([1, 3, 0])).item())

print("== BCE with logits, mean (MEAL V2's discriminator loss) ==")
x = torch.tensor([[0.5, -1.0], [2.0, 0.3], [-30.0, 40.0]])
y = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
print("bce %.8e" % F.binary_cross_entropy_with_logits(x, y).item())

print("== DML, K = 3, labels [1, 3, 0], T = 1: per peer CE + mean KL (peers) and CE + KL(mean) (ensemble) ==")
zs = [s, t, torch.tensor([[0.5, 0.5, -1.0, 2.0], [1.0, -1.0, 0.0, 0.5], [-2.0, 0.0, 2.0, 1.0]])]
y = torch.tensor([1, 3, 0])
for k in range(3):
    ce = F.cross_entropy(zs[k], y)
    others = [j for j in range(3) if j != k]
    peers = sum(F.kl_div(F.log_softmax(zs[k], 1), F.softmax(zs[j], 1), reduction="batchmean") for j in others) / 2
    mean = sum(F.softmax(zs[j], 1) for j in others) / 2
    ens = F.kl_div(F.log_softmax(zs[k], 1), mean, reduction="batchmean")
    print("peer %d ce %.8e kl_peers %.8e kl_ensemble %.8e" % (k, ce.item(), peers.item(), ens.item()))

print("== OKDCR, M = 3 peers x 2 heads, labels [1, 3, 0], T = 3, tau_w = 1, lambdas intra 1 inter 0.5 ens 2, ramp 0.5 ==")
g = torch.Generator().manual_seed(7)
Z = (torch.randn(3, 2, 3, 4, generator=g) * 2).requires_grad_()  # peer, head, sample, class
print("logits:", fmt(Z.detach()))


def kl_ps(a, b):  # per-sample KL(softmax(a) || softmax(b))
    return (F.softmax(a, 1) * (F.log_softmax(a, 1) - F.log_softmax(b, 1))).sum(1)


divs = {"symmetric_kl": lambda a, b: 0.5 * (kl_ps(a, b) + kl_ps(b, a)),
        "l1": lambda a, b: (F.softmax(a, 1) - F.softmax(b, 1)).abs().sum(1)}
for name, D in divs.items():
    if Z.grad is not None:
        Z.grad = None
    T, li, lx, le, ramp = 3.0, 1.0, 0.5, 2.0, 0.5
    d = torch.stack([D(Z[m, 0], Z[m, 1]).detach() for m in range(3)], 1)
    w = F.softmax(-d / 1.0, 1)
    ens = sum(w[:, m:m + 1] * (F.softmax(Z[m, 0].detach() / T, 1) + F.softmax(Z[m, 1].detach() / T, 1)) / 2
              for m in range(3))
    print(name, "weights:", fmt(w))
    total = 0
    for m in range(3):
        terms = []
        for c in range(2):
            ce = F.cross_entropy(Z[m, c], y)
            inter = lx * sum(D(Z[m, c], Z[o, c].detach()).mean() for o in range(3) if o != m)
            en = le * ramp * T * T * F.kl_div(F.log_softmax(Z[m, c] / T, 1), ens, reduction="batchmean")
            terms += [ce, inter, en]
            total = total + ce + inter + en
        intra = li * D(Z[m, 0], Z[m, 1]).mean()
        total = total + intra
        print(name, "peer %d" % m, "c1 ce/inter/ens c2 ce/inter/ens intra:", fmt(torch.stack(terms + [intra]).detach()))
    total.backward()
    print(name, "grad:", fmt(Z.grad))

print("== DKD (Zhao et al.), labels [1, 3, 0], T = 4: TCKD and NCKD (each * T^2, batchmean) and d(TCKD + 8 NCKD)/ds ==")
ss = s.clone().requires_grad_(True)
y = torch.tensor([1, 3, 0])
T = 4.0
gt = F.one_hot(y, 4).float()
ps, pt = F.softmax(ss / T, 1), F.softmax(t / T, 1)
bs = torch.stack([(ps * gt).sum(1), (ps * (1 - gt)).sum(1)], 1)
bt = torch.stack([(pt * gt).sum(1), (pt * (1 - gt)).sum(1)], 1)
tckd = F.kl_div(torch.log(bs), bt, reduction="sum") * T * T / 3
nckd = F.kl_div(F.log_softmax(ss / T - 1000.0 * gt, 1), F.softmax(t / T - 1000.0 * gt, 1), reduction="sum") * T * T / 3
(tckd + 8 * nckd).backward()
print("tckd %.8e nckd %.8e" % (tckd.item(), nckd.item()))
print("grad:", fmt(ss.grad))

print("== attention transfer, p = 2: student (2,3,4,4), teacher (2,5,2,2) (student pooled to 2x2) ==")
g = torch.Generator().manual_seed(11)
fs = torch.randn(2, 3, 4, 4, generator=g).requires_grad_(True)
ft = torch.randn(2, 5, 2, 2, generator=g)
print("fs:", fmt(fs.detach()))
print("ft:", fmt(ft))
def at_map(f):
    return F.normalize(f.pow(2).mean(1).reshape(f.size(0), -1))
v = (at_map(F.adaptive_avg_pool2d(fs, (2, 2))) - at_map(ft)).pow(2).mean()
v.backward()
print("at %.8e" % v.item())
print("grad:", fmt(fs.grad))

print("== FitNets hint: mse_loss(fs2, ft2), (2,3,2,2) ==")
fs2 = torch.randn(2, 3, 2, 2, generator=g).requires_grad_(True)
ft2 = torch.randn(2, 3, 2, 2, generator=g)
print("fs2:", fmt(fs2.detach()))
print("ft2:", fmt(ft2))
v = F.mse_loss(fs2, ft2)
v.backward()
print("hint %.8e" % v.item())
print("grad:", fmt(fs2.grad))

print("== CRD NCE loss (ContrastLoss of the CRD code), scores (3, 1 + 4), 50 samples ==")
x = (torch.rand(3, 5, generator=g) * 0.2 + 0.01).requires_grad_(True)
print("scores:", fmt(x.detach()))
n_data, m = 50, 4
Pn = 1 / float(n_data)
P_pos = x.select(1, 0)
log_D1 = torch.div(P_pos, P_pos.add(m * Pn + 1e-7)).log()
P_neg = x.narrow(1, 1, m)
log_D0 = torch.div(P_neg.clone().fill_(m * Pn), P_neg.add(m * Pn + 1e-7)).log()
v = -(log_D1.sum(0) + log_D0.view(-1, 1).sum(0)) / 3
v.backward()
print("nce %.8e" % v.item())
print("grad:", fmt(x.grad))

# the student logits of the sections below: no row constant (a constant row has standard deviation 0 and uniform
# probabilities, whose centred vector is 0: standardisation and Pearson's correlation are singular there)
s2 = torch.tensor([[1.0, 2.0, 0.5, -1.0], [0.3, -0.2, 0.1, 0.4], [3.0, -2.0, 1.0, 0.0]])
sc2 = torch.tensor([[-50.0, 50.0, 0.0, 0.0], [1.0, 0.0, -1.0, 0.5]])
# DIST's teacher: t with its constant (uniform) row replaced, for the same reason
t2 = torch.tensor([[2.0, 1.0, 0.0, -0.5], [1.0, 2.0, 3.0, 4.0], [0.2, -0.4, 0.1, 0.0]])
print("== logit standardisation (Sun et al.; their code's normalize: (z - mean) / (1e-7 + z.std(-1)), unbiased) ==")


def standardise(z):
    return (z - z.mean(dim=-1, keepdims=True)) / (1e-7 + z.std(dim=-1, keepdims=True))


print("standardised s2:", fmt(standardise(s2)))
for T in [1.0, 2.0]:
    ss = s2.clone().requires_grad_(True)
    v = F.kl_div(F.log_softmax(standardise(ss) / T, 1), F.softmax(standardise(t) / T, 1), reduction="batchmean") * T * T
    v.backward()
    print("standardised kd T", T, "kl %.8e" % v.item())
    print("grad:", fmt(ss.grad))
scs = sc2.clone().requires_grad_(True)
v = F.kl_div(F.log_softmax(standardise(scs) / 2, 1), F.softmax(standardise(tc) / 2, 1), reduction="batchmean") * 4
v.backward()
print("confident standardised kd T 2 kl %.8e" % v.item())
print("grad:", fmt(scs.grad))

print("== DIST (Huang et al.; the reference's cosine_similarity / pearson_correlation, eps 1e-8) ==")


def pearson(a, b, eps=1e-8):  # per row
    a = a - a.mean(1, keepdim=True)
    b = b - b.mean(1, keepdim=True)
    return (a * b).sum(1) / (a.norm(dim=1) * b.norm(dim=1) + eps)


def dist_terms(zs, zt, T):
    ys, yt = F.softmax(zs / T, 1), F.softmax(zt / T, 1)
    return T * T * (1 - pearson(ys, yt).mean()), T * T * (1 - pearson(ys.t(), yt.t()).mean())


for T in [1.0, 4.0]:
    ss = s2.clone().requires_grad_(True)
    inter, intra = dist_terms(ss, t2, T)
    (inter + 2 * intra).backward()
    print("dist T", T, "inter %.8e intra %.8e" % (inter.item(), intra.item()))
    print("grad of inter + 2 intra:", fmt(ss.grad))
scs = sc2.clone().requires_grad_(True)
inter, intra = dist_terms(scs, tc, 1.0)
(inter + intra).backward()
print("confident dist T 1 inter %.8e intra %.8e" % (inter.item(), intra.item()))
print("grad of inter + intra:", fmt(scs.grad))

print("== NKD (Yang et al.; the official NKDLoss: target column removed by a mask), labels [1, 3, 0] ==")


def nkd_terms(zs, zt, label, T):
    n, c = zs.shape
    lab = label.view(n, 1)
    s_t = torch.gather(F.log_softmax(zs, 1), 1, lab)
    t_t = torch.gather(F.softmax(zt, 1), 1, lab).detach()
    target = -(t_t * s_t).mean()
    mask = torch.ones_like(zs).scatter_(1, lab, 0).bool()
    S = F.log_softmax(zs[mask].reshape(n, -1) / T, 1)
    Tt = F.softmax(zt[mask].reshape(n, -1) / T, 1)
    return target, -(T ** 2) * (Tt * S).sum(1).mean()


y = torch.tensor([1, 3, 0])
for T in [1.0, 2.0]:
    ss = s2.clone().requires_grad_(True)
    target, non = nkd_terms(ss, t, y, T)
    (target + 1.5 * non).backward()
    print("nkd T", T, "target %.8e non_target %.8e" % (target.item(), non.item()))
    print("grad of target + 1.5 non_target:", fmt(ss.grad))
scs = sc2.clone().requires_grad_(True)
target, non = nkd_terms(scs, tc, torch.tensor([0, 2]), 1.0)
(target + 1.5 * non).backward()
print("confident nkd T 1 labels [0, 2] target %.8e non_target %.8e" % (target.item(), non.item()))
print("grad of target + 1.5 non_target:", fmt(scs.grad))

print("== WTTM (Zheng and Yang; the official WTTM: p_t^l / sum, l = 1 / T, mean of sum * KL) ==")


def wttm(zs, zt, l):
    p_s = F.log_softmax(zs, dim=1)
    p_t = torch.pow(torch.softmax(zt, dim=1), l)
    norm = torch.sum(p_t, dim=1)
    p_t = p_t / norm.unsqueeze(1)
    return torch.mean(norm * torch.sum(F.kl_div(p_s, p_t, reduction="none"), dim=1))


for T in [2.0, 5.0]:
    ss = s2.clone().requires_grad_(True)
    v = wttm(ss, t, 1 / T)
    v.backward()
    print("wttm T", T, "loss %.8e" % v.item())
    print("grad:", fmt(ss.grad))
scs = sc2.clone().requires_grad_(True)
v = wttm(scs, tc / 2, 1 / 5.0)  # tc / 2: softmax(tc) would underflow to 0, where the power transform is singular
v.backward()
print("confident wttm (teacher tc / 2) T 5 loss %.8e" % v.item())
print("grad:", fmt(scs.grad))

print("== MLKD (Jin et al.; the official KD_ours.py's cc_loss and bc_loss, reduce=True) ==")


def cc_loss(zs, zt, T):
    ps = F.softmax(zs / T, dim=1)
    pt = F.softmax(zt / T, dim=1)
    return ((pt.t() @ pt - ps.t() @ ps) ** 2).sum() / zt.shape[1]


def bc_loss(zs, zt, T):
    ps = F.softmax(zs / T, dim=1)
    pt = F.softmax(zt / T, dim=1)
    return ((pt @ pt.t() - ps @ ps.t()) ** 2).sum() / zt.shape[0]


for T in [1.0, 4.0]:
    for name, f in [("cc", cc_loss), ("bc", bc_loss)]:
        ss = s2.clone().requires_grad_(True)
        v = f(ss, t2, T)
        v.backward()
        print("mlkd", name, "T", T, "loss %.8e" % v.item())
        print("grad:", fmt(ss.grad))
print("mask fractions (numpy percentile 50, le):")
import numpy as np  # noqa: E402
for a in [[0.9, 0.2, 0.5, 0.7], [0.3, 0.3, 0.3, 0.1, 0.9], [0.5], [0.1, 0.4, 0.4, 0.4, 0.8, 0.9]]:
    x = np.array(a, dtype=np.float32)
    print(a, float(np.mean(x <= np.percentile(x, 50))))

print("== CTKD (Li et al.; KD.py's batchmean KL * T * T; temp_global's GRL: forward x, backward lambda * grad, "
      "lambda from CosineDecay(max 0, min -1)) ==")


class Grl(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lambda_):
        ctx.lambda_ = lambda_
        return x.clone()

    @staticmethod
    def backward(ctx, grads):
        return ctx.lambda_ * grads, None


for theta0, code_lambda in [(1.0, -0.5), (-0.3, -1.0)]:
    theta = torch.tensor([theta0], requires_grad=True)
    ss = s2.clone().requires_grad_(True)
    temp = 1 + 20 * torch.sigmoid(Grl.apply(theta, code_lambda))
    v = F.kl_div(F.log_softmax(ss / temp, 1), F.softmax(t2 / temp, 1), reduction="batchmean") * temp * temp
    v.backward()
    print("ctkd theta", theta0, "code lambda", code_lambda, "T %.8e" % temp.item(), "kl %.8e" % v.item(),
          "theta grad %.8e" % theta.grad.item())
    print("grad:", fmt(ss.grad))
