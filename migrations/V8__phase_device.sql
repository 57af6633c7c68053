-- Where each phase's last attempt ran: 'cpu' or 'gpu:<id>' (workers with several GPUs run one phase per GPU).
alter table phases add column device text;
